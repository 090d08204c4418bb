/// ZRF, the Zero Retrain Forgetting score of Chundawat et al. (2023, "Can bad teaching induce
/// forgetting?"): how close M_unlearn's predictions on the forget set are to those of a randomly
/// initialised model of the same architecture (the "incompetent teacher"), which never saw the
/// data:
///
///   ZRF = 1 − (1/n) Σᵢ JS(p_unlearn(xᵢ), p_random(xᵢ))  over xᵢ ∈ x*,
///
/// with JS the Jensen–Shannon divergence of the softmax outputs in nats (`OutputDistance`), so
/// ZRF lies in [1 − ln 2, 1]; 1 means the model answers on x* exactly as the random model does.
/// The reference code (`metrics.py`, `UnLearningScore`) uses `F.kl_div`'s default "mean"
/// reduction, which also divides by the class count; Lethe follows the paper's per-sample mean.
public enum ZeroRetrainForgetting {
  /// The score from the two models' logits on the same samples (same shape, at least one row).
  public static func score(_ unlearned: OutputMatrix, incompetent: OutputMatrix) throws -> Double {
    1 - (try OutputDistance.mean(unlearned, incompetent, kind: .jensenShannon, metric: "ZRF"))
  }
}
