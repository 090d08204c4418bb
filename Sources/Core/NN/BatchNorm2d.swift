/// Batch normalisation over the channels of NCHW (or NC) input, as PyTorch's `BatchNorm2d`:
/// training mode normalises with the batch statistics and updates the running statistics
/// (momentum, unbiased variance) and `num_batches_tracked`; evaluation mode uses the running ones.
public final class BatchNorm2d: Module, @unchecked Sendable {
  /// The number of channels.
  public let features: Int
  /// The running-statistics momentum (PyTorch's default 0.1).
  public let momentum: Float
  /// Added to the variance before the square root.
  public let eps: Float
  /// The scale γ, initialised to ones.
  public let weight: Variable
  /// The shift β, initialised to zeros.
  public let bias: Variable
  /// The running mean, initialised to zeros.
  public let runningMean: Buffer
  /// The running variance, initialised to ones.
  public let runningVar: Buffer
  /// How many training batches have updated the running statistics.
  public let numBatchesTracked: Buffer

  /// A batch-norm layer with γ = 1, β = 0, running mean 0 and running variance 1.
  public init(_ features: Int, momentum: Float = 0.1, eps: Float = 1e-5) throws {
    guard features > 0, momentum >= 0, momentum <= 1, eps > 0 else {
      throw ModuleError.invalidConfiguration(
        "BatchNorm2d(\(features), momentum: \(momentum), eps: \(eps))")
    }
    self.features = features
    self.momentum = momentum
    self.eps = eps
    weight = Variable(Tensor(repeating: 1, shape: [features]), requiresGrad: true)
    bias = Variable(Tensor(repeating: 0, shape: [features]), requiresGrad: true)
    runningMean = Buffer(Tensor(repeating: 0, shape: [features]))
    runningVar = Buffer(Tensor(repeating: 1, shape: [features]))
    numBatchesTracked = Buffer(Tensor(scalar: 0), isInteger: true)
    super.init()
  }

  private init(copying other: BatchNorm2d) {
    features = other.features
    momentum = other.momentum
    eps = other.eps
    weight = other.weight.clonedParameter()
    bias = other.bias.clonedParameter()
    runningMean = other.runningMean.copy()
    runningVar = other.runningVar.copy()
    numBatchesTracked = other.numBatchesTracked.copy()
    super.init()
    copyMode(from: other)
  }

  public override var localParameters: [(String, Variable)] {
    [("weight", weight), ("bias", bias)]
  }
  public override var localBuffers: [(String, Buffer)] {
    [("running_mean", runningMean), ("running_var", runningVar),
     ("num_batches_tracked", numBatchesTracked)]
  }
  public override var layerDescription: String { "BatchNorm2d(\(features))" }

  public override func forward(_ input: Variable) throws -> Variable {
    guard input.shape.count == 4 || input.shape.count == 2, input.shape[1] == features else {
      throw ModuleError.invalidInput(
        "\(layerDescription) needs input [N, \(features), H, W] or [N, \(features)], got \(input.shape)")
    }
    return try forward(input, residual: nil, relu: false)
  }

  /// relu(self(input) + residual) (each part optional) as one fused primitive; ResNet's stem
  /// and blocks use it.
  func forward(_ input: Variable, residual: Variable?, relu: Bool) throws -> Variable {
    guard input.shape.count == 4 || input.shape.count == 2, input.shape[1] == features else {
      throw ModuleError.invalidInput(
        "\(layerDescription) needs input [N, \(features), H, W] or [N, \(features)], got \(input.shape)")
    }
    let output = try Primitives.fusedBatchNorm(
      input, weight: weight, bias: bias, runningMean: &runningMean.value,
      runningVar: &runningVar.value, training: isTraining, momentum: momentum, eps: eps,
      residual: residual, relu: relu)
    if isTraining {
      numBatchesTracked.value = Tensor(scalar: numBatchesTracked.value.storage[0] + 1)
    }
    return output
  }

  public override func clone() -> Module { BatchNorm2d(copying: self) }
}
