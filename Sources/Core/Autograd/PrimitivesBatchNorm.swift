/// Batch normalisation (see `BatchNormPass` for the computation it shares with the fused form).
extension Primitives {
  /// Batch normalisation over axis 1 of `[N, C]` or `[N, C, H, W]` (see `Functional.batchNorm`).
  static func batchNorm(
    _ x: Variable, weight: Variable?, bias: Variable?, runningMean: inout Tensor,
    runningVar: inout Tensor, training: Bool, momentum: Float, eps: Float
  ) throws -> Variable {
    let pass = try BatchNormPass(
      x: x.value, weight: weight?.value, bias: bias?.value, runningMean: &runningMean,
      runningVar: &runningVar, training: training, momentum: momentum, eps: eps)
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    return record("batchNorm", pass.output(), inputs) { g, needs in
      pass.gradients(
        g, reluOutput: nil, needs: needs, hasWeight: hasWeight, hasBias: hasBias, hasResidual: false)
    }
  }
}
