/// PyTorch's default initialisations, drawn from a seeded `RandomGenerator`.
public enum Initialization {
  /// Uniform in [-bound, bound): `kaiming_uniform_(a: √5)` on a weight with fan-in `fanIn` gives
  /// bound 1/√fanIn, and so does PyTorch's default bias initialisation.
  public static func uniform(_ shape: [Int], bound: Float, rng: inout RandomGenerator) -> Tensor {
    var values = [Float](repeating: 0, count: Tensor.count(of: shape))
    for i in values.indices { values[i] = (rng.nextUniform() * 2 - 1) * bound }
    return Tensor(shape: shape, storage: values)
  }

  /// PyTorch's default for conv and linear weights and biases: uniform with bound 1/√fanIn.
  public static func pytorchDefault(_ shape: [Int], fanIn: Int, rng: inout RandomGenerator) -> Tensor {
    uniform(shape, bound: 1 / Float(max(fanIn, 1)).squareRoot(), rng: &rng)
  }

  /// `kaiming_normal_(mode: "fan_out", nonlinearity: "relu")`, torchvision's ResNet conv init:
  /// normal with standard deviation √(2 / fanOut).
  public static func kaimingNormalFanOut(_ shape: [Int], fanOut: Int, rng: inout RandomGenerator)
    -> Tensor
  {
    let std = (2 / Float(max(fanOut, 1))).squareRoot()
    var values = [Float](repeating: 0, count: Tensor.count(of: shape))
    for i in values.indices { values[i] = rng.nextNormal() * std }
    return Tensor(shape: shape, storage: values)
  }
}

/// How a layer's weight is initialised.
public enum WeightInit: String, Sendable {
  /// PyTorch's default: `kaiming_uniform_(a: √5)`, uniform with bound 1/√fanIn.
  case pytorchDefault
  /// torchvision's ResNet convolutions: `kaiming_normal_(mode: "fan_out", nonlinearity: "relu")`.
  case kaimingNormalFanOut
}
