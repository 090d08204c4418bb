import Core

/// The counted work (`WorkMeter`) of a run's unlearning and of the retraining it is compared
/// with: what `speedup_work` divides.
public struct RunWork: Sendable, Equatable, Codable {
  /// The method's `unlearn` (for a method whose result is M_retrain, retraining's).
  public var unlearn: Work
  /// Training M_retrain on D \ x*.
  public var retrain: Work

  /// The pair.
  public init(unlearn: Work, retrain: Work) {
    self.unlearn = unlearn
    self.retrain = retrain
  }

  /// The method's work in sample-gradient evaluations of the whole model: its multiply-adds over
  /// what one training sample costs in retraining (forward and backward); nil when retraining
  /// saw no samples.
  public var unlearnSampleGradients: Double? {
    guard retrain.gradientSamples > 0, retrain.multiplyAdds > 0 else { return nil }
    return unlearn.multiplyAdds / (retrain.multiplyAdds / Double(retrain.gradientSamples))
  }

  enum CodingKeys: String, CodingKey {
    case unlearn, retrain
    case unlearnSampleGradients = "unlearn_sample_gradients"
  }

  /// Decodes the two tallies (the derived figure is recomputed).
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    unlearn = try c.decode(Work.self, forKey: .unlearn)
    retrain = try c.decode(Work.self, forKey: .retrain)
  }

  /// Encodes the two tallies and the method's work in sample gradients.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(unlearn, forKey: .unlearn)
    try c.encode(retrain, forKey: .retrain)
    try c.encodeIfPresent(unlearnSampleGradients, forKey: .unlearnSampleGradients)
  }
}
