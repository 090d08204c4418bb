#if canImport(Glibc)
  import Glibc
#endif
import Core
import Foundation

/// The conditions a time was measured under. Two times compare (a speedup) only when measured on
/// the same kind of CPU with the same thread count, GEMM backend and build configuration; the
/// load average beside each says how busy the machine was (it is recorded, not compared: a
/// speedup taken under very different loads should be read with care, and `speedup_work` is
/// the load-free figure).
public struct TimingConditions: Sendable, Equatable, Codable {
  /// The CPU model name.
  public var cpu: String
  /// The thread count the computation used.
  public var threads: Int
  /// The GEMM backend (`swift`, `blas`).
  public var gemm: String
  /// The build configuration (`debug`, `release`).
  public var configuration: String
  /// The host the time was taken on (recorded, not compared: a cluster's nodes share a CPU model).
  public var hostname: String
  /// The one-minute load average when the timed work started.
  public var loadBefore: Double?
  /// The one-minute load average when it ended.
  public var loadAfter: Double?

  /// This process's conditions with `threads` threads (load averages not yet taken).
  public static func current(threads: Int) -> TimingConditions {
    let machine = MachineInfo.current(threads: threads)
    return TimingConditions(
      cpu: machine.cpu, threads: threads, gemm: BuildEnvironment.gemmBackend,
      configuration: BuildEnvironment.configuration, hostname: machine.hostname)
  }

  /// Whether a time taken under `other` compares with one taken under these conditions.
  public func isComparable(with other: TimingConditions) -> Bool {
    cpu == other.cpu && threads == other.threads && gemm == other.gemm && configuration == other.configuration
  }

  /// What differs from `other`, for the log ("threads 4 vs 2").
  public func differences(from other: TimingConditions) -> String {
    var out: [String] = []
    if cpu != other.cpu { out.append("CPU '\(other.cpu)' vs '\(cpu)'") }
    if threads != other.threads { out.append("\(other.threads) threads vs \(threads)") }
    if gemm != other.gemm { out.append("GEMM \(other.gemm) vs \(gemm)") }
    if configuration != other.configuration { out.append("\(other.configuration) build vs \(configuration)") }
    return out.joined(separator: ", ")
  }

  /// Runs `body`, timing it (wall-clock), counting its work (`WorkMeter`) and taking the load
  /// average before and after.
  static func timed<T>(threads: Int, _ body: () throws -> T) rethrows
    -> (result: T, seconds: Double, work: Work, conditions: TimingConditions)
  {
    var conditions = current(threads: threads)
    conditions.loadBefore = oneMinuteLoad()
    let clock = ContinuousClock()
    let t0 = clock.now
    let (result, work) = try WorkMeter.measure(body)
    let seconds = (clock.now - t0).seconds
    conditions.loadAfter = oneMinuteLoad()
    return (result, seconds, work, conditions)
  }

  /// The one-minute load average (`getloadavg`), when the system gives it.
  static func oneMinuteLoad() -> Double? {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) >= 1 ? loads[0] : nil
  }

  enum CodingKeys: String, CodingKey {
    case cpu, threads, gemm, configuration, hostname
    case loadBefore = "load_before"
    case loadAfter = "load_after"
  }
}
