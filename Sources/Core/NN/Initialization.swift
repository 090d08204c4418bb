import Foundation

/// PyTorch's default initialisations, drawn from a seeded `RandomGenerator`.
public enum Initialization {
  /// Uniform in [-bound, bound): `kaiming_uniform_(a: √5)` on a weight with fan-in `fanIn` gives
  /// bound 1/√fanIn, and so does PyTorch's default bias initialisation.
  public static func uniform(_ shape: [Int], bound: Float, rng: inout RandomGenerator) -> Tensor {
    var values = [Float](repeating: 0, count: Tensor.count(of: shape))
    values.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count { v[i] = (rng.nextUniform() * 2 - 1) * bound }
    }
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
    values.withUnsafeMutableBufferPointer { v in
      // Box–Muller gives two independent normals per pair of uniforms; use both.
      var i = 0
      while i < v.count {
        let u1 = Float(rng.next() >> 40) * (1.0 / 16_777_216.0)
        let u2 = Float(rng.next() >> 40) * (1.0 / 16_777_216.0)
        let r = (-2 * Foundation.log(Swift.max(u1, Float.leastNormalMagnitude))).squareRoot() * std
        let angle = 2 * Float.pi * u2
        v[i] = r * Foundation.cos(angle)
        if i + 1 < v.count { v[i + 1] = r * Foundation.sin(angle) }
        i += 2
      }
    }
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
