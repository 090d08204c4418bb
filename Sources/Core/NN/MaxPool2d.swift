/// Max pooling over NCHW input with a square window (padding counts as −∞).
public final class MaxPool2d: Module, @unchecked Sendable {
  /// The window.
  public let window: PoolWindow
  /// The window's height and width.
  public var kernelSize: Int { window.kernelSize }
  /// The stride.
  public var stride: Int { window.stride }
  /// Implicit padding on every side.
  public var padding: Int { window.padding }

  /// A max-pooling layer; `stride` defaults to `kernelSize`.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) throws {
    window = try PoolWindow(layer: "MaxPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
    super.init()
  }

  public override var layerDescription: String { window.describe("MaxPool2d") }
  public override func forward(_ input: Variable) throws -> Variable {
    try Functional.maxPool2d(input, kernel: kernelSize, stride: stride, padding: padding)
  }
  public override func clone() -> Module {
    let copy = try! MaxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    copy.copyMode(from: self)
    return copy
  }
}
