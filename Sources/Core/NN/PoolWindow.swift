/// The square window of a pooling layer: its size, stride and padding, checked once.
public struct PoolWindow: Sendable, Equatable {
  /// The window's height and width.
  public let kernelSize: Int
  /// The stride (PyTorch's default: the kernel size).
  public let stride: Int
  /// Implicit padding on every side.
  public let padding: Int

  /// A window; `stride` defaults to `kernelSize`. `layer` names the layer in the error.
  public init(layer: String, kernelSize: Int, stride: Int?, padding: Int) throws {
    let s = stride ?? kernelSize
    guard kernelSize > 0, s > 0, padding >= 0, padding * 2 <= kernelSize else {
      throw ModuleError.invalidConfiguration(
        "\(layer)(kernel: \(kernelSize), stride: \(s), padding: \(padding))")
    }
    self.kernelSize = kernelSize
    self.stride = s
    self.padding = padding
  }

  /// `Name(kernel: k, stride: s[, padding: p])`, as the printed model tree shows it.
  public func describe(_ layer: String) -> String {
    "\(layer)(kernel: \(kernelSize), stride: \(stride)\(padding > 0 ? ", padding: \(padding)" : ""))"
  }
}
