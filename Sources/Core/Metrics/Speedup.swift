/// Speedup: how many times faster unlearning is than retraining, T_retrain / T_unlearn, both
/// measured wall-clock on the same machine with the same thread count. Preparation work (shards,
/// caches, stored checkpoints) is reported separately and not included in T_unlearn.
public enum Speedup {
  /// T_retrain / T_unlearn; throws when either time is not positive and finite.
  public static func ratio(retrainSeconds: Double, unlearnSeconds: Double) throws -> Double {
    guard retrainSeconds.isFinite, retrainSeconds > 0 else {
      throw MetricError.invalidInput(
        metric: "speedup", message: "retraining time must be positive, got \(retrainSeconds)")
    }
    guard unlearnSeconds.isFinite, unlearnSeconds > 0 else {
      throw MetricError.invalidInput(
        metric: "speedup", message: "unlearning time must be positive, got \(unlearnSeconds)")
    }
    return retrainSeconds / unlearnSeconds
  }
}
