/// The one place that decides which algorithm each pass of a convolution takes: a pure function
/// of the geometry, the fusion and the policy. The measurements behind each rule are in
/// docs/performance-conv.md; `ConvRoutingTests` holds the table for every convolution of the
/// CNN and ResNet-18 and for the edge geometries.
public enum ConvRouting {
  /// The plan for `g` fused with `fusion` under `policy`.
  public static func plan(
    _ g: Conv2dShape, fusion: ConvFusion = .none, policy: ConvPolicy = .current
  ) -> ConvPlan {
    // The direct kernels are the Swift backend's micro-kernel with AVX-512 masked loads and FMAs.
    let direct = policy.direct && policy.gemm == .swift && policy.avx512
    let dense = fusion == .none
    return ConvPlan(
      shape: g, fusion: fusion,
      forward: forward(g, fusion: fusion, direct: direct, policy: policy),
      inputGradient: inputGradient(g, dense: dense, direct: direct, policy: policy),
      weightGradient: weightGradient(g, dense: dense, direct: direct), gemm: policy.gemm)
  }

  static func forward(
    _ g: Conv2dShape, fusion: ConvFusion, direct: Bool, policy: ConvPolicy
  ) -> ConvForwardAlgorithm {
    // A stride-1 convolution narrower than its input (the CNN's valid 3×3) keeps its tiles'
    // inputs contiguous with rows as wide as the input's; only a row-reading consumer can take
    // such an output.
    if fusion == .reluMaxPool && g.outW < g.width && direct && ConvDirectForward.suitsWidened(g) {
      return .directWidened
    }
    if direct && ConvDirectForward.suits(g) { return .direct }
    // Planes of fewer than 48 positions would leave most of a 32-wide tile empty.
    if policy.implicitGemm && ConvImplicitGemm.suits(g) { return .implicitGemm }
    return .im2col
  }

  static func inputGradient(
    _ g: Conv2dShape, dense: Bool, direct: Bool, policy: ConvPolicy
  ) -> ConvInputGradientAlgorithm {
    // A masked or pooled gradient would need a masked copy first; into few input channels (a
    // stem's) the 12-row tiles would be mostly empty.
    if dense && g.inChannels >= 8 && direct && ConvDirectForward.suits(g) { return .direct }
    return policy.prepackWeights && policy.gemm == .swift ? .columnsPrepacked : .columnsGemm
  }

  static func weightGradient(_ g: Conv2dShape, dense: Bool, direct: Bool)
    -> ConvWeightGradientAlgorithm
  {
    // Not the 1×1 shortcuts (memory-bound either way, the GEMM measured faster) and not a single
    // input channel (the CNN's conv1: 9 of 12 tap slots and half the lanes used).
    let directSuits = direct && g.kernelH * g.kernelW > 1 && g.inChannels > 1
      && ConvWeightGradientDirect.suits(g)
    if directSuits && dense { return .direct }
    // Masked or pooled gradients are gathered per chunk, and each call of the kernel pays its own
    // gWᵀ transpose: on planes of ≤ 64 positions the GEMM was faster there (A/B 0.94–1.25).
    if directSuits && g.positions > 64 { return .directChunks }
    // GEMMs with a narrow output (n < 32) run far below peak: when the patch is shorter than the
    // output channels (first layers), accumulate gWᵀ = col · gyᵀ and transpose once.
    return g.patch < g.outChannels ? .columnsTransposed : .columns
  }
}
