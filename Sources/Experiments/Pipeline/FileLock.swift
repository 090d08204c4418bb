#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// An exclusive lock on a file, shared by every process on every machine that sees the file: a
/// `fcntl` record lock over the whole file. The model cache locks one file per entry, the results
/// file locks itself around appends and merges, and a sweep locks one file per run it claims.
///
/// On Linux it is an open-file-description lock (`F_OFD_SETLK`): it belongs to this open file,
/// so two locks in one process exclude each other like two processes do, and the kernel releases
/// it when the process dies, however it dies. On NFS the client forwards it to the server's lock
/// manager (NFSv4, or NFSv3 with `lockd`; a mount with `nolock` or `local_lock=all` keeps locks on
/// one machine, which is then unsafe for tasks on several nodes — see docs/cluster.md).
/// swift-system has no locking API, hence these few calls.
///
/// A lock file may be removed by its holder (`release(removing: true)`): `acquire` checks, once
/// it holds the lock, that the path still names the file it locked, and starts again otherwise,
/// so a waiter never holds a lock on a file that is no longer there.
final class FileLock {
  /// The locked path.
  let path: String
  /// The open descriptor holding the lock (readable and writable; appends when opened so).
  let descriptor: Int32
  private var released = false

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  deinit { if !released { close(descriptor) } }

  /// Locks `path` (created when missing), waiting for the holder when `wait`; returns nil when
  /// it does not wait and another holder has it. `append` opens the file for appending.
  static func acquire(_ path: String, wait: Bool, append: Bool = false) throws -> FileLock? {
    while true {
      let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0), 0o644)
      guard fd >= 0 else { throw failure(path, "cannot open") }
      var lock = flock()
      lock.l_type = Int16(F_WRLCK)
      lock.l_whence = Int16(SEEK_SET)
      var status: Int32
      repeat {
        status = fcntl(fd, wait ? lockWait : lockNow, &lock)
      } while status != 0 && errno == EINTR
      if status != 0 {
        let code = errno
        close(fd)
        if !wait && (code == EAGAIN || code == EACCES) { return nil }
        errno = code
        throw failure(path, "cannot lock")
      }
      // The holder before us may have removed the file: then our lock guards nothing.
      var held = stat(), named = stat()
      if fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev
        && held.st_ino == named.st_ino
      {
        return FileLock(path: path, descriptor: fd)
      }
      close(fd)
    }
  }

  /// Whether another open file holds a lock on `path` now (false when the file does not exist).
  static func isHeld(_ path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var lock = flock()
    lock.l_type = Int16(F_WRLCK)
    lock.l_whence = Int16(SEEK_SET)
    guard fcntl(fd, lockQuery, &lock) == 0 else { return false }
    return lock.l_type != Int16(F_UNLCK)
  }

  /// Releases the lock; with `removing`, first removes the file (while still holding it).
  func release(removing: Bool = false) {
    guard !released else { return }
    released = true
    if removing { unlink(path) }
    close(descriptor)
  }

  private static func failure(_ path: String, _ what: String) -> ExperimentError {
    ExperimentError.io(path: path, message: "\(what): \(String(cString: strerror(errno)))")
  }

  #if os(Linux)
    // F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW: Linux ≥ 3.15, the same numbers on every
    // architecture (asm-generic/fcntl.h); Glibc's module does not export them to Swift.
    private static let lockQuery: Int32 = 36
    private static let lockNow: Int32 = 37
    private static let lockWait: Int32 = 38
  #else
    // Elsewhere, classic POSIX record locks: they belong to the process, so two locks of one
    // process on one file do not exclude each other (Lethe runs one sweep per process).
    private static let lockQuery = F_GETLK
    private static let lockNow = F_SETLK
    private static let lockWait = F_SETLKW
  #endif
}
