import LetheKernels

/// Fused primitives: a composition of base primitives computed in fewer passes over memory,
/// with the values and gradients of the composition (`ConvFusionTests`, `BatchNormFusionTests`).
/// Models decide when they are built where to use them (`Sequential`, `BasicBlock`, `ResNet`);
/// max-pool(relu(conv)) is in `FusedConvReLUMaxPool.swift`.
extension Primitives {
  /// relu(conv2d(x, w, b)) (`"conv2dReLU"`): the ReLU runs in the convolution's epilogue, and
  /// its gradient mask is applied where the convolution's backward reads the incoming gradient.
  static func conv2dReLU(
    _ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int,
    policy: ConvPolicy = .current
  ) throws -> Variable {
    try convolution(x, w, b, stride: stride, padding: padding, fusion: .relu, policy: policy)
  }

  /// Batch normalisation, plus `residual` (same shape as x) when given, then ReLU when `relu`:
  /// relu(batchNorm(x) + residual) as one primitive (ResNet's stem and blocks). The forward is one
  /// pass; the backward masks the incoming gradient once (in the pass of batch norm's sums),
  /// passes it to the residual, and runs batch norm's rule on it.
  static func fusedBatchNorm(
    _ x: Variable, weight: Variable?, bias: Variable?, runningMean: inout Tensor,
    runningVar: inout Tensor, training: Bool, momentum: Float, eps: Float, residual: Variable?,
    relu: Bool
  ) throws -> Variable {
    let pass = try BatchNormPass(
      x: x.value, weight: weight?.value, bias: bias?.value, runningMean: &runningMean,
      runningVar: &runningVar, training: training, momentum: momentum, eps: eps,
      residualShape: residual?.shape)
    let y = pass.output(residual: residual?.value, relu: relu)
    let inputs = [x] + [weight, bias, residual].compactMap { $0 }
    let (hasWeight, hasBias, hasResidual) = (weight != nil, bias != nil, residual != nil)
    let name = relu ? (residual == nil ? "batchNormReLU" : "batchNormAddReLU")
      : (residual == nil ? "batchNorm" : "batchNormAdd")
    return record(name, y, inputs) { g, needs in
      pass.gradients(
        g, reluOutput: relu ? y : nil, needs: needs, hasWeight: hasWeight, hasBias: hasBias,
        hasResidual: hasResidual)
    }
  }
}
