/// The geometry of a 2-D convolution over NCHW inputs with `[out, in, kh, kw]` weights.
public struct Conv2dShape: Sendable, Equatable {
  /// Batch size.
  public var batch: Int
  /// Input channels.
  public var inChannels: Int
  /// Input height.
  public var height: Int
  /// Input width.
  public var width: Int
  /// Output channels.
  public var outChannels: Int
  /// Kernel height.
  public var kernelH: Int
  /// Kernel width.
  public var kernelW: Int
  /// Stride (both axes).
  public var stride: Int
  /// Zero padding (both axes, both sides).
  public var padding: Int

  /// A convolution geometry; the caller has validated that the output is non-empty.
  public init(
    batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelH: Int,
    kernelW: Int, stride: Int, padding: Int
  ) {
    self.batch = batch
    self.inChannels = inChannels
    self.height = height
    self.width = width
    self.outChannels = outChannels
    self.kernelH = kernelH
    self.kernelW = kernelW
    self.stride = stride
    self.padding = padding
  }

  /// Output height.
  public var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
  /// Output width.
  public var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
  /// Output positions per sample.
  var positions: Int { outH * outW }
  /// Rows of the im2col matrix (in · kh · kw).
  var patch: Int { inChannels * kernelH * kernelW }
}
