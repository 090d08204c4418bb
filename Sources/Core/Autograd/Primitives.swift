/// The differentiable primitives: each computes its value and records its one gradient rule.
///
/// Each primitive validates shapes (throwing `TensorError`), computes the value with `Tensor`
/// operations or LetheKernels loops, and records a `GradNode` when gradients are wanted. The base
/// primitives live in `Primitives*.swift` by kind (arithmetic, unary maps, reductions, shapes,
/// matrix products, softmax and the losses over it, convolution, pooling, batch norm, dropout);
/// the fused ones, which compute a composition of base primitives in fewer passes with the same
/// values and gradients, in `FusedPrimitives.swift` and `FusedConvReLUMaxPool.swift`. The public
/// surface is `Variable`'s operators and methods and `Functional`; composed operations (mean,
/// MSE, cross-entropy, KL between logits, adaptive average pooling) are built from primitives and
/// need no rule of their own.
enum Primitives {
  /// Wraps `value` as a variable, recording `rule` when recording is on and an input needs it.
  /// `rule` gets the output gradient and which inputs need gradients.
  static func record(
    _ name: String, _ value: Tensor, _ inputs: [Variable],
    _ rule: @escaping (Tensor, [Bool]) throws -> [Tensor?]
  ) -> Variable {
    guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else {
      return Variable(value)
    }
    let needs = inputs.map { $0.requiresGrad }
    let v = Variable(value, requiresGrad: true)
    v.creator = GradNode(name: name, inputs: inputs) { g in try rule(g, needs) }
    return v
  }
}
