/// What executing one run produced.
public struct RunOutcome: Sendable, Equatable {
  /// The digest of the scenario's forget indices.
  public var scenarioDigest: String?
  /// How many training samples were forgotten.
  public var forgetCount: Int?
  /// Metric values by `MetricName` raw value.
  public var metrics: [String: Double]
  /// What the method reported about its work.
  public var notes: [String: String]
  /// Phase timings.
  public var timings: RunTimings

  /// An outcome.
  public init(scenarioDigest: String? = nil, forgetCount: Int? = nil, metrics: [String: Double] = [:],
    notes: [String: String] = [:], timings: RunTimings = RunTimings())
  {
    self.scenarioDigest = scenarioDigest
    self.forgetCount = forgetCount
    self.metrics = metrics
    self.notes = notes
    self.timings = timings
  }
}

/// Does the work of one run: obtain M0 (trained or cached), M_retrain (trained or cached), run the
/// method on a fresh copy of M0, measure every metric. The runner around it handles order,
/// resumption and failures; `RunPipeline` is the real executor, tests use small fakes.
public protocol RunExecutor: AnyObject {
  /// Executes `run`; throwing marks the run failed (or stops the sweep, for an interruption).
  func execute(_ run: RunIdentity) throws -> RunOutcome
}
