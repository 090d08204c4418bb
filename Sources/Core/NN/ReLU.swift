/// The rectifier max(x, 0), elementwise.
public final class ReLU: Module, @unchecked Sendable {
  /// A ReLU layer.
  public override init() { super.init() }
  public override func forward(_ input: Variable) throws -> Variable {
    Functional.relu(input)
  }
  public override func clone() -> Module {
    let copy = ReLU()
    copy.copyMode(from: self)
    return copy
  }
}
