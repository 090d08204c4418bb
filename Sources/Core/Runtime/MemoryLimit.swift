import Foundation
import LetheKernels

/// The most memory Lethe lets a user-sized request take: a tensor, a layer, a batch, a
/// permutation whose size came from a script, the REPL or a file.
///
/// A typo such as `zeros(1e5, 1e5)` (40 GB) must be an error the caller can catch, not the
/// Swift runtime's "failed to allocate" trap or the kernel's OOM killer. So every place where
/// user input decides a size asks `check(bytes:for:)` first; it throws `MemoryLimitError` when
/// the memory in use plus the request would pass the limit. The limit is `LETHE_MAX_MEMORY`
/// (`16G`, `512M`, `75%` of the machine, or a number of bytes), by default `defaultFraction` of
/// the memory the process may use (physical memory, or its cgroup's limit when lower). The
/// memory in use is the C heap's allocated bytes (`mallinfo2`, which every tensor and Lua value
/// lives in); requests under `smallRequest` skip the measurement and always pass.
public struct MemoryLimit: Sendable, Equatable {
  /// The environment variable that sets the limit.
  public static let environmentVariable = "LETHE_MAX_MEMORY"
  /// The share of the available memory that is the default limit.
  public static let defaultFraction = 0.75
  /// Requests below this many bytes are never refused (and cost no measurement).
  public static let smallRequest = 16 << 20

  /// The limit in bytes.
  public let bytes: Int
  /// Where the limit came from, for messages: `LETHE_MAX_MEMORY=8G` or
  /// `the default, 75% of 23.4 GiB`.
  public let origin: String

  /// A limit of `bytes` described by `origin`.
  public init(bytes: Int, origin: String) {
    self.bytes = bytes
    self.origin = origin
  }

  /// The process's limit, read once from the environment (an unreadable `LETHE_MAX_MEMORY`
  /// falls back to the default; the command line refuses it at start-up with `configured()`).
  public static let current: MemoryLimit = (try? configured()) ?? defaultLimit()

  /// The limit `LETHE_MAX_MEMORY` asks for, or the default when it is unset; throws when the
  /// variable is set to something that is not a size.
  public static func configured(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> MemoryLimit {
    guard let text = environment[environmentVariable] else { return defaultLimit() }
    let bytes = try parse(text, available: availableMemory())
    return MemoryLimit(bytes: bytes, origin: "\(environmentVariable)=\(text)")
  }

  /// `defaultFraction` of the available memory.
  public static func defaultLimit() -> MemoryLimit {
    let available = availableMemory()
    return MemoryLimit(
      bytes: Int(Double(available) * defaultFraction),
      origin: "the default, \(Int(defaultFraction * 100))% of \(format(bytes: available)); "
        + "\(environmentVariable) changes it")
  }

  /// Reads a size: a number of bytes (`1073741824`), with a binary unit (`512K`, `512M`, `16G`,
  /// `1T`, optionally followed by `B` or `iB`), or a percentage of `available` (`50%`).
  public static func parse(_ text: String, available: Int) throws -> Int {
    let t = text.trimmingCharacters(in: .whitespaces).uppercased()
    let bad = MemoryLimitError.unreadable(text)
    if t.hasSuffix("%") {
      guard let p = Double(t.dropLast()), p.isFinite, p > 0, p <= 100 else { throw bad }
      return Int(Double(available) * p / 100)
    }
    var digits = Substring(t)
    for suffix in ["IB", "B"] where digits.hasSuffix(suffix) {
      digits = digits.dropLast(suffix.count)
      break
    }
    var scale = 1.0
    if let unit = digits.last, let power = "KMGT".firstIndex(of: unit) {
      scale = pow(1024, Double("KMGT".distance(from: "KMGT".startIndex, to: power) + 1))
      digits = digits.dropLast()
    }
    guard let value = Double(digits), value.isFinite, value > 0, value * scale < 0x1p62 else { throw bad }
    return Int(value * scale)
  }

  /// Throws `MemoryLimitError.exceeded` unless `bytes` more fit under the limit beside what is
  /// already in use. `what` names the request in the message ("a tensor of shape [100000, 100000]").
  public func check(bytes request: Int, for what: @autoclosure () -> String) throws {
    guard request >= MemoryLimit.smallRequest else { return }
    let inUse = request > bytes ? 0 : MemoryLimit.heapInUse()
    guard request > bytes - inUse else { return }
    throw MemoryLimitError.exceeded(what: what(), request: request, inUse: inUse, limit: self)
  }

  /// Checks `count` elements of `elementBytes` each (an overflowing product is refused too).
  public func check(count: Int, elementBytes: Int, for what: @autoclosure () -> String) throws {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: elementBytes)
    guard !overflow, count >= 0 else {
      throw MemoryLimitError.exceeded(what: what(), request: Int.max, inUse: 0, limit: self)
    }
    try check(bytes: bytes, for: what())
  }

  /// The bytes the C heap has handed out and not taken back.
  public static func heapInUse() -> Int { HeapUsage.bytesInUse() }

  /// The memory this process may use: physical memory, or its cgroup's limit when lower.
  public static func availableMemory() -> Int {
    let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    return min(physical, cgroupLimit() ?? physical)
  }

  /// The memory limit of this process's cgroup (v2 `memory.max`, or v1 `memory.limit_in_bytes`).
  static func cgroupLimit() -> Int? {
    var files = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
    if let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
      for line in own.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[2] != "/" else { continue }
        if parts[0] == "0" { files.append("/sys/fs/cgroup\(parts[2])/memory.max") }
        if parts[1].split(separator: ",").contains("memory") {
          files.append("/sys/fs/cgroup/memory\(parts[2])/memory.limit_in_bytes")
        }
      }
    }
    let limits = files.compactMap { path -> Int? in
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
      return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return limits.min()
  }

  /// `40.0 GB`-style text in binary units (GiB, MiB, KiB).
  public static func format(bytes: Int) -> String {
    let units = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)]
    for (name, shift) in units where bytes >= 1 << shift {
      return String(format: "%.1f %@", Double(bytes) / Double(1 << shift), name)
    }
    return "\(bytes) bytes"
  }
}

/// A request the memory limit refuses, or a limit that cannot be read.
public enum MemoryLimitError: Error, CustomStringConvertible, Equatable {
  /// `what` needs `request` bytes; `inUse` are taken and the limit is `limit`.
  case exceeded(what: String, request: Int, inUse: Int, limit: MemoryLimit)
  /// `LETHE_MAX_MEMORY` holds something that is not a size.
  case unreadable(String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .exceeded(let what, let request, let inUse, let limit):
      let size = request == Int.max ? "more bytes than a computer has" : MemoryLimit.format(bytes: request)
      let used = inUse > 0 ? " with \(MemoryLimit.format(bytes: inUse)) in use" : ""
      return "not enough memory: \(what) needs \(size)\(used); the limit is "
        + "\(MemoryLimit.format(bytes: limit.bytes)) (\(limit.origin))"
    case .unreadable(let text):
      return "\(MemoryLimit.environmentVariable)='\(text)' is not a size (examples: 16G, 512M, 75%)"
    }
  }
}
