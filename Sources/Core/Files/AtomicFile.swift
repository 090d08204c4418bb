import Foundation

/// Writes a whole file so that readers see the old file or the new one, never a part: the bytes
/// go to a temporary sibling, are flushed to disk, then renamed over the target. The temporary's
/// name says who wrote it (`<name>.tmp-lethe-<pid>-<random>`), so that `TemporaryFiles` can remove
/// what a killed writer left behind without touching a live writer's file.
public enum AtomicFile {
  /// The marker in every temporary name this type writes.
  static let marker = ".tmp-lethe-"

  /// Writes `bytes` to `path`, replacing any file there. `temporary` names the temporary file
  /// (it must not exist) when the caller tells its own temporaries apart (the model cache, whose
  /// entry locks say which writers are alive); by default it is `path` plus the marker, the
  /// writer's process id and a random suffix.
  public static func write(_ bytes: [UInt8], to path: String, temporary: String? = nil) throws {
    let temporary =
      temporary ?? "\(path)\(marker)\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError(action: "write", path: path, errno: errno) }
    var closed = false
    do {
      try bytes.withUnsafeBytes { try FileIO.writeAll($0, to: fd, path: path) }
      if fsync(fd) != 0 { throw FileError(action: "write", path: path, errno: errno) }
      closed = true
      if close(fd) != 0 { throw FileError(action: "write", path: path, errno: errno) }
    } catch {
      if !closed { close(fd) }
      unlink(temporary)
      throw error
    }
    if rename(temporary, path) != 0 {
      let code = errno
      unlink(temporary)
      throw FileError(action: "replace", path: path, errno: code)
    }
  }
}
