/// The hyperbolic tangent, elementwise.
public final class Tanh: Module, @unchecked Sendable {
  /// A tanh layer.
  public override init() { super.init() }
  public override func forward(_ input: Variable) throws -> Variable {
    Functional.tanh(input)
  }
  public override func clone() -> Module {
    let copy = Tanh()
    copy.copyMode(from: self)
    return copy
  }
}
