import Foundation

/// What the mutation driver does when an input kills the process: a signal handler (on its own
/// stack, so stack overflows are caught too) writes the input being run to a file and says where,
/// then lets the signal end the process; a watchdog thread does the same for an input that runs
/// past its time limit; an address-space limit turns unbounded allocation into such a crash.
/// Everything the handler touches is allocated beforehand (a handler may not allocate).
public enum CrashGuard {
  nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
  nonisolated(unsafe) static var length = 0
  nonisolated(unsafe) static var crashPath: UnsafeMutablePointer<CChar>?
  nonisolated(unsafe) static var running = false
  nonisolated(unsafe) static var started = 0.0
  nonisolated(unsafe) static var altStack: UnsafeMutableRawPointer?

  /// Installs the handlers; findings are written as `<folder>/crash-<target>-<pid>` (and
  /// `timeout-…`). `timeout` is the per-input limit in seconds; `memoryMB`, when positive, caps
  /// the process's address space.
  public static func install(folder: String, target: String, timeout: Double, memoryMB: Int) {
    crashPath = strdup("\(folder)/crash-\(target)-\(getpid())")
    let stackSize = 1 << 16
    altStack = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
    var stack = stack_t(ss_sp: altStack, ss_flags: 0, ss_size: stackSize)
    sigaltstack(&stack, nil)
    for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { sig in CrashGuard.died(sig) }
      action.sa_flags = Int32(truncatingIfNeeded: Int(SA_ONSTACK) | Int(SA_RESETHAND))
      sigaction(sig, &action, nil)
    }
    if memoryMB > 0 {
      var limit = rlimit(rlim_cur: rlim_t(memoryMB) << 20, rlim_max: rlim_t(memoryMB) << 20)
      setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
    }
    let timeoutPath = "\(folder)/timeout-\(target)-\(getpid())"
    Thread.detachNewThread {
      while true {
        usleep(100_000)
        if running && now() - started > timeout {
          save(to: timeoutPath)
          let message = "lethe-fuzz: an input ran longer than \(timeout) s; saved to \(timeoutPath)\n"
          FileHandle.standardError.write(Data(message.utf8))
          _exit(71)
        }
      }
    }
  }

  /// Marks `input` as the one being run.
  @inline(__always)
  static func begin(_ input: [UInt8]) {
    length = min(input.count, 1 << 20)
    input.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: length) }
    started = now()
    running = true
  }

  /// Marks the end of a run.
  @inline(__always)
  static func end() { running = false }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  static func save(to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if fd >= 0 {
      _ = write(fd, buffer, length)
      close(fd)
    }
  }

  /// The signal handler: async-signal-safe calls only (open, write, close).
  static func died(_ sig: Int32) {
    guard let crashPath else { return }
    let fd = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if fd >= 0 {
      _ = write(fd, buffer, length)
      close(fd)
    }
    let prefix: StaticString = "\nlethe-fuzz: the input that crashed is saved to "
    _ = write(2, prefix.utf8Start, prefix.utf8CodeUnitCount)
    _ = write(2, crashPath, strlen(crashPath))
    _ = write(2, "\n", 1)
    raise(sig)  // SA_RESETHAND restored the default action: the process ends with this signal
  }
}
