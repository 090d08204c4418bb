/// A fully connected layer, y = x·Wᵀ + b, with PyTorch's `weight [out, in]` and `bias [out]`.
public final class Linear: Module, @unchecked Sendable {
  /// The number of input features.
  public let inFeatures: Int
  /// The number of output features.
  public let outFeatures: Int
  /// The weight, shape `[outFeatures, inFeatures]`.
  public let weight: Variable
  /// The bias, shape `[outFeatures]`, when the layer has one.
  public let bias: Variable?

  /// A layer with PyTorch's default initialisation (uniform, bound 1/√inFeatures).
  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator)
    throws
  {
    guard inFeatures > 0, outFeatures > 0 else {
      throw ModuleError.invalidConfiguration(
        "Linear(\(inFeatures), \(outFeatures)) needs positive feature counts")
    }
    try Tensor.validate(shape: [outFeatures, inFeatures])
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weight = Variable(
      Initialization.pytorchDefault([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng),
      requiresGrad: true)
    self.bias = bias
      ? Variable(Initialization.pytorchDefault([outFeatures], fanIn: inFeatures, rng: &rng),
        requiresGrad: true) : nil
    super.init()
  }

  private init(copying other: Linear) {
    inFeatures = other.inFeatures
    outFeatures = other.outFeatures
    weight = other.weight.clonedParameter()
    bias = other.bias?.clonedParameter()
    super.init()
    copyMode(from: other)
  }

  public override var localParameters: [(String, Variable)] {
    bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
  }
  public override var layerDescription: String {
    "Linear(\(inFeatures), \(outFeatures)\(bias == nil ? ", bias: false" : ""))"
  }

  public override func forward(_ input: Variable) throws -> Variable {
    guard input.shape.last == inFeatures else {
      throw ModuleError.invalidInput("\(layerDescription) got input of shape \(input.shape)")
    }
    return try Functional.linear(input, weight: weight, bias: bias)
  }

  public override func clone() -> Module { Linear(copying: self) }
}
