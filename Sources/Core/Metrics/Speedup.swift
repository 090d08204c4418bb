/// Speedup: how many times cheaper unlearning is than retraining. Preparation work (shards,
/// caches, stored checkpoints) is reported separately and not included in the method's cost.
///
/// - `ratio`: T_retrain / T_unlearn, wall-clock, both measured on the same kind of machine with
///   the same thread count, GEMM backend and build (the pipeline re-times retraining when its
///   cached time was taken under other conditions).
/// - `workRatio`: retraining's counted work over the method's (`WorkMeter`: multiply-adds of the
///   models' weight layers, a gradient pass counting three forward passes), deterministic: the
///   same run gives the same value on any machine and under any load.
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

  /// Retraining's multiply-adds over the method's; nil when the method did no counted work (it
  /// called no model), where the ratio is unbounded. Throws when retraining did none.
  public static func workRatio(retrain: Work, unlearn: Work) throws -> Double? {
    guard retrain.multiplyAdds > 0, retrain.multiplyAdds.isFinite else {
      throw MetricError.invalidInput(metric: "speedup_work", message: "retraining did no counted work")
    }
    guard unlearn.multiplyAdds > 0 else { return nil }
    return retrain.multiplyAdds / unlearn.multiplyAdds
  }
}
