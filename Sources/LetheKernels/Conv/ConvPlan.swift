/// What a convolution is fused with, which decides how its output is written and how its
/// output gradient arrives.
public enum ConvFusion: Sendable, Equatable, CaseIterable {
  /// conv(x): a dense output, a dense output gradient.
  case none
  /// relu(conv(x)): the ReLU in the epilogue; the output gradient is masked where y ≤ 0.
  case relu
  /// max-pool(relu(conv(x))): the output may come with widened rows (read by the pooling);
  /// the gradient arrives as the pooled output's (`PooledReLUGradient`).
  case reluMaxPool
}

/// How the forward pass computes y.
public enum ConvForwardAlgorithm: Sendable, Equatable {
  /// The micro-kernel reads the image through masked loads ("same" stride-1 convolutions;
  /// `ConvDirectForward.forward`).
  case direct
  /// Like `direct`, with output rows as wide as the input's (`ConvDirectForward.forwardWidened`;
  /// only for a consumer that reads rows with a stride, the fused max-pool).
  case directWidened
  /// B panels packed from the image (`ConvImplicitGemm`).
  case implicitGemm
  /// im2col of a chunk of samples and one GEMM (`Conv2dKernels.forwardIm2col`).
  case im2col
}

/// How the backward pass computes the input gradient.
public enum ConvInputGradientAlgorithm: Sendable, Equatable {
  /// The direct forward of dL/dy with the weights transposed and flipped
  /// (`ConvDirectForward.inputGradient`): no columns, no col2im.
  case direct
  /// Per chunk, columns = Wᵀ · gy with Wᵀ packed once per call (`ConvInputGradientGemm`), col2im.
  case columnsPrepacked
  /// Per chunk, columns = Wᵀ · gy through `Gemm.sgemm` (which packs Wᵀ again), col2im.
  case columnsGemm
}

/// How the backward pass computes the weight gradient (and the bias gradient with it).
public enum ConvWeightGradientAlgorithm: Sendable, Equatable {
  /// `ConvWeightGradientDirect` over the whole batch, shared by the threads
  /// (`Conv2dKernels.directWeightGradient`; gradB from the same kernel).
  case direct
  /// `ConvWeightGradientDirect` on each chunk's gathered (masked or expanded) gradient.
  case directChunks
  /// Per chunk, im2col columns and a GEMM into gW[O, K].
  case columns
  /// Per chunk, im2col columns and a GEMM into gWᵀ[K, O], transposed once at the end (when the
  /// patch is shorter than the output channels, so that the GEMM's output is the wider way).
  case columnsTransposed
}

/// The algorithm of each pass of one convolution, as `ConvRouting.plan` chose them; the
/// `Conv2dKernels` entry points execute it.
public struct ConvPlan: Sendable, Equatable {
  /// The geometry.
  public var shape: Conv2dShape
  /// The fusion the plan was made for.
  public var fusion: ConvFusion
  /// The forward pass.
  public var forward: ConvForwardAlgorithm
  /// The input gradient.
  public var inputGradient: ConvInputGradientAlgorithm
  /// The weight (and bias) gradient.
  public var weightGradient: ConvWeightGradientAlgorithm
  /// The GEMM backend of the column paths.
  public var gemm: Gemm.Backend

  /// A plan with every algorithm given (`ConvRouting.plan` chooses them; tests force one).
  public init(
    shape: Conv2dShape, fusion: ConvFusion, forward: ConvForwardAlgorithm,
    inputGradient: ConvInputGradientAlgorithm, weightGradient: ConvWeightGradientAlgorithm,
    gemm: Gemm.Backend
  ) {
    self.shape = shape
    self.fusion = fusion
    self.forward = forward
    self.inputGradient = inputGradient
    self.weightGradient = weightGradient
    self.gemm = gemm
  }
}
