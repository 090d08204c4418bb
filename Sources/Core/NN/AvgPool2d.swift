/// Average pooling over NCHW input with a square window (zero padding is counted in the average, as PyTorch's default).
public final class AvgPool2d: Module, @unchecked Sendable {
  /// The window.
  public let window: PoolWindow
  /// The window's height and width.
  public var kernelSize: Int { window.kernelSize }
  /// The stride.
  public var stride: Int { window.stride }
  /// Implicit padding on every side.
  public var padding: Int { window.padding }

  /// An average-pooling layer; `stride` defaults to `kernelSize`.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) throws {
    window = try PoolWindow(layer: "AvgPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
    super.init()
  }

  public override var layerDescription: String { window.describe("AvgPool2d") }
  public override func forward(_ input: Variable) throws -> Variable {
    try Functional.avgPool2d(input, kernel: kernelSize, stride: stride, padding: padding)
  }
  public override func clone() -> Module {
    let copy = try! AvgPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    copy.copyMode(from: self)
    return copy
  }
}
