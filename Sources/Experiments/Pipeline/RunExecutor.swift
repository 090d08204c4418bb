import Core
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
  /// Counted work of the unlearning and of the retraining it is compared with.
  public var work: RunWork?
  /// The metric variants the metrics were measured with (`MetricOptions.variants`).
  public var metricVariants: [String: String]
  /// What the run's metrics are read against (`RunRecord.reference`): M_retrain's accuracies and
  /// M0's distances to M_retrain.
  public var reference: [String: Double] = [:]

  /// An outcome.
  public init(scenarioDigest: String? = nil, forgetCount: Int? = nil, metrics: [String: Double] = [:],
    notes: [String: String] = [:], timings: RunTimings = RunTimings(), work: RunWork? = nil,
    metricVariants: [String: String] = [:])
  {
    self.scenarioDigest = scenarioDigest
    self.forgetCount = forgetCount
    self.metrics = metrics
    self.notes = notes
    self.timings = timings
    self.work = work
    self.metricVariants = metricVariants
  }
}

/// A run that failed once its scenario was drawn: the error, and what the failed record still
/// says about the run (the scenario's digest and forget count, as an ok record would).
public struct RunFailure: Error, CustomStringConvertible {
  /// What went wrong.
  public var underlying: Error
  /// The digest of the scenario's forget indices.
  public var scenarioDigest: String?
  /// How many training samples were to be forgotten.
  public var forgetCount: Int?

  /// A failure.
  public init(underlying: Error, scenarioDigest: String?, forgetCount: Int?) {
    self.underlying = underlying
    self.scenarioDigest = scenarioDigest
    self.forgetCount = forgetCount
  }

  /// The underlying error's message.
  public var description: String { FileError.describe(underlying) }
}

/// Does the work of one run: obtain M0 (trained or cached), M_retrain (trained or cached), run the
/// method on a fresh copy of M0, measure every metric. The runner around it handles order,
/// resumption and failures; `RunPipeline` is the real executor, tests use small fakes.
public protocol RunExecutor: AnyObject {
  /// Executes `run`; throwing marks the run failed (or stops the sweep, for an interruption).
  func execute(_ run: RunIdentity) throws -> RunOutcome
}
