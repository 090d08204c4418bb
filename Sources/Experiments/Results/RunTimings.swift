/// Wall-clock seconds spent on one run's phases, and the memory the unlearning needed.
public struct RunTimings: Sendable, Equatable, Codable {
  /// Training M0, including whatever the method's `prepare` added to it (0 when cached).
  public var trainSeconds: Double
  /// The preparation work a method did for later unlearning, beyond plain training (its hooks'
  /// time during M0's training).
  public var prepareSeconds: Double
  /// The unlearning itself: M0 + forget request → M_unlearn.
  public var unlearnSeconds: Double
  /// Training M_retrain on the retained data (measured once per scenario and seed, reused when
  /// measured under comparable conditions, see `retrainSource`).
  public var retrainSeconds: Double
  /// The process's peak resident memory while the method unlearned, in MiB (nil where the
  /// kernel cannot report a per-phase peak, and for runs that reuse M_retrain).
  public var unlearnPeakMiB: Double?
  /// How far that peak rose above the resident memory when unlearning started, in MiB: the
  /// memory the method itself needed.
  public var unlearnGrowthMiB: Double?
  /// The one-minute load average when the unlearning started.
  public var unlearnLoad: Double?
  /// The one-minute load average when the retraining that `retrainSeconds` timed started.
  public var retrainLoad: Double?
  /// Where `retrainSeconds` comes from: "cached" (measured when M_retrain was trained, under the
  /// same CPU, threads, GEMM backend and build as this run) or "re-timed" (measured again by
  /// this process because the cached time was taken under other conditions).
  public var retrainSource: String?

  /// Timings.
  public init(trainSeconds: Double = 0, prepareSeconds: Double = 0, unlearnSeconds: Double = 0,
    retrainSeconds: Double = 0, unlearnPeakMiB: Double? = nil, unlearnGrowthMiB: Double? = nil)
  {
    self.trainSeconds = trainSeconds
    self.prepareSeconds = prepareSeconds
    self.unlearnSeconds = unlearnSeconds
    self.retrainSeconds = retrainSeconds
    self.unlearnPeakMiB = unlearnPeakMiB
    self.unlearnGrowthMiB = unlearnGrowthMiB
  }

  enum CodingKeys: String, CodingKey {
    case trainSeconds = "train_s"
    case prepareSeconds = "prepare_s"
    case unlearnSeconds = "unlearn_s"
    case retrainSeconds = "retrain_s"
    case unlearnPeakMiB = "unlearn_peak_mib"
    case unlearnGrowthMiB = "unlearn_growth_mib"
    case unlearnLoad = "unlearn_load"
    case retrainLoad = "retrain_load"
    case retrainSource = "retrain_source"
  }
}
