/// Adaptive average pooling to a 1×1 output, `[N, C, H, W] → [N, C, 1, 1]` (ResNet's `avgpool`).
public final class AdaptiveAvgPool2d: Module, @unchecked Sendable {
  /// A global average-pooling layer.
  public override init() { super.init() }
  public override var layerDescription: String { "AdaptiveAvgPool2d(1)" }
  public override func forward(_ input: Variable) throws -> Variable {
    try Functional.adaptiveAvgPool1x1(input)
  }
  public override func clone() -> Module {
    let copy = AdaptiveAvgPool2d()
    copy.copyMode(from: self)
    return copy
  }
}
