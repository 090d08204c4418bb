/// Inverted dropout: in training mode each element is zeroed with probability `p` and the rest
/// scaled by 1/(1−p); the identity in evaluation mode. The mask stream is seeded per layer.
public final class Dropout: Module, @unchecked Sendable {
  /// The probability of zeroing an element.
  public let p: Float
  private var rng: RandomGenerator

  /// A dropout layer drawing its masks from a generator split off `rng`.
  public init(p: Float, rng: inout RandomGenerator) throws {
    guard p >= 0, p < 1 else {
      throw ModuleError.invalidConfiguration("Dropout(p: \(p)) needs 0 ≤ p < 1")
    }
    self.p = p
    self.rng = rng.split()
    super.init()
  }

  private init(copying other: Dropout) {
    p = other.p
    rng = other.rng
    super.init()
    copyMode(from: other)
  }

  public override var layerDescription: String { "Dropout(p: \(p))" }
  public override func forward(_ input: Variable) throws -> Variable {
    if !isTraining || p == 0 { return input }
    return try Functional.dropout(input, p: p, training: true, rng: &rng)
  }

  /// Restarts the mask stream from `seed` (the training loop does so from its own seed).
  public func reseed(_ seed: UInt64) { rng = RandomGenerator(seed: seed) }

  public override func clone() -> Module { Dropout(copying: self) }
}
