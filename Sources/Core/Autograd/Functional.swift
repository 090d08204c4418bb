import LetheKernels

/// Layers and losses as functions of variables (PyTorch's `torch.nn.functional`), for modules
/// and methods to build on. Shapes follow PyTorch: NCHW images, `[out, in, kh, kw]` conv
/// weights, `[out, in]` linear weights, `[N, K]` logits.
public enum Functional {
  /// x · Wᵀ + b for x `[N, in]`, weight `[out, in]`, bias `[out]`.
  public static func linear(_ x: Variable, weight: Variable, bias: Variable?) throws -> Variable {
    try Primitives.linear(x, weight, bias)
  }

  /// 2-D convolution (cross-correlation, as PyTorch) with square stride and zero padding; its
  /// kernels are chosen under `policy` (by default the environment's, `LETHE_CONV`).
  public static func conv2d(
    _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0,
    policy: ConvPolicy = .current
  ) throws -> Variable {
    try Primitives.conv2d(x, weight, bias, stride: stride, padding: padding, policy: policy)
  }

  /// Max pooling with a square window; stride defaults to the kernel size.
  public static func maxPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0)
    throws -> Variable
  {
    try Primitives.pool2d(x, kernel: kernel, stride: stride ?? kernel, padding: padding, max: true)
  }

  /// Average pooling with a square window (padding counted in the divisor, as PyTorch's default).
  public static func avgPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0)
    throws -> Variable
  {
    try Primitives.pool2d(x, kernel: kernel, stride: stride ?? kernel, padding: padding, max: false)
  }

  /// Adaptive average pooling to 1×1: `[N, C, H, W]` → `[N, C, 1, 1]`.
  public static func adaptiveAvgPool1x1(_ x: Variable) throws -> Variable {
    guard x.value.rank == 4 else {
      throw TensorError.invalidShape("adaptiveAvgPool1x1: input \(x.shape) must be 4-D")
    }
    return try x.mean(axes: [2, 3], keepDims: true)
  }

  /// Batch normalisation over axis 1 of `[N, C]` or `[N, C, H, W]`. Training: normalises with
  /// the batch mean and biased variance, and updates the running statistics in place with
  /// `momentum` and the unbiased variance (as PyTorch). Eval: normalises with the running ones.
  /// `weight`/`bias` may be nil (no affine part).
  public static func batchNorm(
    _ x: Variable, weight: Variable?, bias: Variable?, runningMean: inout Tensor,
    runningVar: inout Tensor, training: Bool, momentum: Float = 0.1, eps: Float = 1e-5
  ) throws -> Variable {
    try Primitives.batchNorm(
      x, weight: weight, bias: bias, runningMean: &runningMean, runningVar: &runningVar,
      training: training, momentum: momentum, eps: eps)
  }

  /// Inverted dropout drawn from `rng`; the identity when not training or p = 0.
  public static func dropout(
    _ x: Variable, p: Float, training: Bool, rng: inout RandomGenerator
  ) throws -> Variable {
    try Primitives.dropout(x, p: p, training: training, rng: &rng)
  }

  /// max(x, 0).
  public static func relu(_ x: Variable) -> Variable { x.relu() }
  /// tanh x.
  public static func tanh(_ x: Variable) -> Variable { x.tanh() }
  /// 1 / (1 + e⁻ˣ).
  public static func sigmoid(_ x: Variable) -> Variable { x.sigmoid() }

  /// Softmax along `axis`.
  public static func softmax(_ x: Variable, axis: Int = -1) throws -> Variable {
    try x.softmax(axis: axis)
  }

  /// Log-softmax along `axis`.
  public static func logSoftmax(_ x: Variable, axis: Int = -1) throws -> Variable {
    try x.logSoftmax(axis: axis)
  }

  /// Mean cross-entropy of logits `[N, K]` against integer targets in `0..<K`.
  public static func crossEntropy(_ logits: Variable, targets: [Int]) throws -> Variable {
    guard logits.value.rank == 2 else {
      throw TensorError.invalidShape("crossEntropy: logits \(logits.shape) must be [batch, classes]")
    }
    return try Primitives.nllLoss(logits.logSoftmax(axis: 1), targets: targets)
  }

  /// Mean negative log-likelihood of integer targets under log-probabilities `[N, K]`.
  public static func nllLoss(_ logProbs: Variable, targets: [Int]) throws -> Variable {
    try Primitives.nllLoss(logProbs, targets: targets)
  }

  /// PyTorch's `kl_div(logProbs, target, reduction: "batchmean")`:
  /// Σ target · (log target − logProbs) / N, terms with target = 0 counting 0.
  public static func klDivBatchMean(_ logProbs: Variable, target: Variable) throws -> Variable {
    try Primitives.klDivBatchMean(logProbs, target)
  }

  /// KL(softmax(teacher) ‖ softmax(student)) per sample, averaged over the batch (axis 1 holds
  /// the classes): `klDivBatchMean(logSoftmax(student), softmax(teacher))`.
  public static func klDivLogits(student: Variable, teacher: Variable) throws -> Variable {
    try klDivBatchMean(student.logSoftmax(axis: 1), target: teacher.softmax(axis: 1))
  }

  /// Mean squared error over all elements (shapes must be equal).
  public static func mse(_ prediction: Variable, _ target: Variable) throws -> Variable {
    guard prediction.shape == target.shape else {
      throw TensorError.shapeMismatch("mse: prediction \(prediction.shape) and target \(target.shape)")
    }
    let d = try prediction - target
    return try (d * d).mean()
  }
}
