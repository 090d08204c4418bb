/// Flattens every axis after the first: `[N, d1, d2, ...] → [N, d1·d2·...]`.
public final class Flatten: Module, @unchecked Sendable {
  /// A flatten layer.
  public override init() { super.init() }
  public override func forward(_ input: Variable) throws -> Variable {
    guard input.shape.count >= 2 else {
      throw ModuleError.invalidInput("Flatten needs a batch axis, got shape \(input.shape)")
    }
    return try input.flattened(from: 1)
  }
  public override func clone() -> Module {
    let copy = Flatten()
    copy.copyMode(from: self)
    return copy
  }
}
