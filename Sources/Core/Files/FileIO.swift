import Foundation

/// Whole-file reads and complete writes over POSIX calls, failing with a plain `FileError`.
public enum FileIO {
  /// The bytes of the file at `path`.
  public static func read(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError(action: "read", path: path, errno: errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileError(action: "read", path: path, errno: errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw FileError(action: "read", path: path, errno: EISDIR) }
    let size = Int(info.st_size)
    var out = [UInt8](repeating: 0, count: size)
    var done = 0
    let failure: Int32? = out.withUnsafeMutableBytes { p -> Int32? in
      while done < size {
        let n = Foundation.read(fd, p.baseAddress! + done, min(size - done, 1 << 30))
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        if n == 0 { break }  // the file shrank while being read
        done += n
      }
      return nil
    }
    if let failure { throw FileError(action: "read", path: path, errno: failure) }
    if done < size { out.removeSubrange(done...) }
    return out
  }

  /// Writes every byte of `bytes` to the open descriptor `fd` (`path` names it in errors). A
  /// short write is retried, so a full disk surfaces as the `ENOSPC` the retry gets.
  public static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, path: String) throws {
    var done = 0
    while done < bytes.count {
      let n = write(fd, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30))
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError(action: "write", path: path, errno: errno)
      }
      if n == 0 {
        throw FileError(
          action: "write", path: path,
          reason: "the device accepted no more bytes (\(done) of \(bytes.count) written; is it full?)")
      }
      done += n
    }
  }

  /// Creates `path` and any missing parents.
  public static func createFolder(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw FileError(action: "create the folder", path: path, error: error)
    }
  }
}
