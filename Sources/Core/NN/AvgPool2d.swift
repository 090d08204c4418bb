/// Average pooling over NCHW input with a square window.
public final class AvgPool2d: Module, @unchecked Sendable {
  /// The window's height and width.
  public let kernelSize: Int
  /// The stride (PyTorch's default: the kernel size).
  public let stride: Int
  /// Implicit zero padding on every side (counted in the average, as PyTorch's default).
  public let padding: Int

  /// An average-pooling layer; `stride` defaults to `kernelSize`.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) throws {
    let s = stride ?? kernelSize
    guard kernelSize > 0, s > 0, padding >= 0, padding * 2 <= kernelSize else {
      throw ModuleError.invalidConfiguration(
        "AvgPool2d(kernel: \(kernelSize), stride: \(s), padding: \(padding))")
    }
    self.kernelSize = kernelSize
    self.stride = s
    self.padding = padding
    super.init()
  }

  public override var layerDescription: String {
    "AvgPool2d(kernel: \(kernelSize), stride: \(stride)\(padding > 0 ? ", padding: \(padding)" : ""))"
  }
  public override func forward(_ input: Variable) throws -> Variable {
    try Functional.avgPool2d(input, kernel: kernelSize, stride: stride, padding: padding)
  }
  public override func clone() -> Module {
    let copy = try! AvgPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    copy.copyMode(from: self)
    return copy
  }
}
