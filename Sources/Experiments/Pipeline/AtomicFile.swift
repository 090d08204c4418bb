#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing a whole file so that readers see either the old file or the complete new one, on a
/// local disk or a shared filesystem: write a temporary file beside it, flush it, rename it.
/// (Foundation's `.atomic` writes pick their own temporary names, which a cache cannot tell
/// apart from anyone else's files when it cleans up after a killed writer.)
enum AtomicFile {
  /// Writes `bytes` to `temporary` (created, must not exist), flushes it to disk and renames it
  /// to `path`. On failure the temporary file is removed.
  static func write(_ bytes: [UInt8], to path: String, temporary: String) throws {
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw ExperimentError.io(path: temporary, message: "cannot create: \(String(cString: strerror(errno)))")
    }
    var failure: String?
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count, let base = buffer.baseAddress {
        let n = systemWrite(fd, base + offset, buffer.count - offset)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
          failure = "cannot write: \(String(cString: strerror(errno)))"
          return
        }
        offset += n
      }
      if fsync(fd) != 0 { failure = "cannot flush: \(String(cString: strerror(errno)))" }
    }
    close(fd)
    if failure == nil && rename(temporary, path) != 0 {
      failure = "cannot rename to \(path): \(String(cString: strerror(errno)))"
    }
    if let failure {
      unlink(temporary)
      throw ExperimentError.io(path: path, message: failure)
    }
  }
}

/// `write(2)`, named apart from Swift's `write` overloads.
@inline(__always)
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
