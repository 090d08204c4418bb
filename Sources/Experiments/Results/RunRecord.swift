import Core
import Foundation

/// One line of a results file: a finished (or failed) run with its whole configuration, every
/// metric, timings, the version of Lethe and the machine.
public struct RunRecord: Sendable, Equatable, Codable {
  /// Whether the run produced a model and metrics.
  public enum Status: String, Sendable, Codable {
    /// The method ran and every metric was measured.
    case ok
    /// The method (or the pipeline around it) threw; `error` says why.
    case failed
  }

  /// `identity.key`, repeated so that tools can group lines without recomputing it.
  public var key: String
  /// The run's configuration.
  public var identity: RunIdentity
  /// ok or failed.
  public var status: Status
  /// The error message of a failed run.
  public var error: String?
  /// The digest of the scenario's exact forget indices (from the data layer).
  public var scenarioDigest: String?
  /// How many training samples were forgotten.
  public var forgetCount: Int?
  /// Metric values by name (see `MetricName`); non-finite values are left out.
  public var metrics: [String: Double]
  /// What the method reported about its work (steps taken, checkpoints used, ...).
  public var notes: [String: String]
  /// Phase timings.
  public var timings: RunTimings
  /// Lethe's version.
  public var letheVersion: String
  /// The machine.
  public var machine: MachineInfo
  /// What built Lethe (commit, GEMM backend, compiler); nil in records written before it existed.
  public var build: BuildProvenance?
  /// Counted work of the unlearning and of the retraining (what `speedup_work` divides).
  public var work: RunWork?
  /// The metric variants the metrics were measured with (`dist_output`, `mia_feature`, ...).
  public var metricVariants: [String: String]?
  /// What the metrics are read against, measured the same way: M_retrain's own `acc_test`,
  /// `acc_remained`, `acc_deleted` (suffixed `_retrain`) and M0's `dist_output` and `dist_para`
  /// to M_retrain (suffixed `_m0`: the distance unlearning has to close). The survey report's
  /// usability and completeness ratings read them.
  public var reference: [String: Double]?
  /// When the run finished (ISO 8601, UTC).
  public var finishedAt: String

  /// A record; `key` is taken from `identity`.
  public init(
    identity: RunIdentity, status: Status, error: String? = nil, scenarioDigest: String? = nil,
    forgetCount: Int? = nil, metrics: [String: Double] = [:], notes: [String: String] = [:],
    timings: RunTimings = RunTimings(), machine: MachineInfo, finishedAt: Date = Date()
  ) {
    self.key = identity.key
    self.identity = identity
    self.status = status
    self.error = error
    self.scenarioDigest = scenarioDigest
    self.forgetCount = forgetCount
    self.metrics = metrics.filter { $0.value.isFinite }
    self.notes = notes
    self.timings = timings
    self.letheVersion = LetheVersion.current
    self.machine = machine
    self.build = .current
    self.finishedAt = ISO8601DateFormatter().string(from: finishedAt)
  }

  enum CodingKeys: String, CodingKey {
    case key, identity = "run", status, error, scenarioDigest = "scenario_digest"
    case forgetCount = "forget_count", metrics, notes, timings
    case letheVersion = "lethe_version", machine, build, work, metricVariants = "metric_variants", reference
    case finishedAt = "finished_at"
  }

  /// The record as one line of JSON (no trailing newline), keys sorted.
  public func jsonLine() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// A record parsed from one line of JSON.
  public static func parse(_ line: String) throws -> RunRecord {
    try JSONDecoder().decode(RunRecord.self, from: Data(line.utf8))
  }
}
