#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// The machine a run was measured on, recorded with every result so that times can be compared.
public struct MachineInfo: Sendable, Equatable, Codable {
  /// The host name.
  public var hostname: String
  /// The CPU model name (from /proc/cpuinfo on Linux).
  public var cpu: String
  /// Logical processors available.
  public var cores: Int
  /// The thread count the run used for its computations.
  public var threads: Int
  /// The operating system.
  public var os: String

  /// Describes this machine; `threads` is the thread count the runner uses.
  public static func current(threads: Int) -> MachineInfo {
    let info = ProcessInfo.processInfo
    var cpu = "unknown"
    if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let colon = line.firstIndex(of: ":")
    {
      cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return MachineInfo(
      hostname: info.hostName, cpu: cpu, cores: info.activeProcessorCount, threads: threads,
      os: info.operatingSystemVersionString)
  }
}
