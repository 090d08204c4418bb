import LetheKernels

/// A 2-D convolution over NCHW input with a square kernel, PyTorch's `weight [out, in, k, k]`
/// and `bias [out]`. It keeps the `ConvPolicy` it was built with: its kernels run under it, and
/// `Sequential` reads it to decide, once, whether it fuses with a following ReLU and max-pool.
public final class Conv2d: Module, @unchecked Sendable {
  /// Input channels.
  public let inChannels: Int
  /// Output channels.
  public let outChannels: Int
  /// The kernel's height and width.
  public let kernelSize: Int
  /// The stride in both directions.
  public let stride: Int
  /// Zero padding on every side.
  public let padding: Int
  /// The weight, shape `[outChannels, inChannels, kernelSize, kernelSize]`.
  public let weight: Variable
  /// The bias, shape `[outChannels]`, when the layer has one.
  public let bias: Variable?
  /// Which convolution algorithms may run (by default the environment's, `LETHE_CONV`).
  public let policy: ConvPolicy

  /// A convolution initialised as PyTorch's default (weights and bias uniform, bound
  /// 1/√(in·k·k)) or, with `.kaimingNormalFanOut`, as torchvision's ResNet convolutions.
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    bias: Bool = true, weightInit: WeightInit = .pytorchDefault, policy: ConvPolicy = .current,
    rng: inout RandomGenerator
  ) throws {
    guard inChannels > 0, outChannels > 0, kernelSize > 0, stride > 0, padding >= 0 else {
      throw ModuleError.invalidConfiguration(
        "Conv2d(\(inChannels), \(outChannels), kernel: \(kernelSize), stride: \(stride), "
          + "padding: \(padding)) needs positive sizes and a non-negative padding")
    }
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.policy = policy
    let fanIn = inChannels * kernelSize * kernelSize
    let shape = [outChannels, inChannels, kernelSize, kernelSize]
    switch weightInit {
    case .pytorchDefault:
      weight = Variable(
        Initialization.pytorchDefault(shape, fanIn: fanIn, rng: &rng), requiresGrad: true)
    case .kaimingNormalFanOut:
      weight = Variable(
        Initialization.kaimingNormalFanOut(
          shape, fanOut: outChannels * kernelSize * kernelSize, rng: &rng),
        requiresGrad: true)
    }
    self.bias = bias
      ? Variable(Initialization.pytorchDefault([outChannels], fanIn: fanIn, rng: &rng),
        requiresGrad: true) : nil
    super.init()
  }

  private init(copying other: Conv2d) {
    inChannels = other.inChannels
    outChannels = other.outChannels
    kernelSize = other.kernelSize
    stride = other.stride
    padding = other.padding
    policy = other.policy
    weight = other.weight.clonedParameter()
    bias = other.bias?.clonedParameter()
    super.init()
    copyMode(from: other)
  }

  public override var localParameters: [(String, Variable)] {
    bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
  }
  public override var layerDescription: String {
    var s = "Conv2d(\(inChannels), \(outChannels), kernel: \(kernelSize)"
    if stride != 1 { s += ", stride: \(stride)" }
    if padding != 0 { s += ", padding: \(padding)" }
    if bias == nil { s += ", bias: false" }
    return s + ")"
  }

  public override func forward(_ input: Variable) throws -> Variable {
    try checkInput(input)
    return try Primitives.conv2d(input, weight, bias, stride: stride, padding: padding, policy: policy)
  }

  /// relu(forward(input)) as one fused primitive (`Sequential` uses it for Conv2d → ReLU).
  func forwardReLU(_ input: Variable) throws -> Variable {
    try checkInput(input)
    return try Primitives.conv2dReLU(input, weight, bias, stride: stride, padding: padding, policy: policy)
  }

  /// max-pool(relu(forward(input))) as one fused primitive (`Sequential` uses it for
  /// Conv2d → ReLU → MaxPool2d); also returns the convolution's output shape.
  func forwardReLUMaxPool(_ input: Variable, pool: MaxPool2d) throws -> (Variable, [Int]) {
    try checkInput(input)
    let geo = try Primitives.conv2dGeometry(
      input.shape, weight.shape, bias: bias?.shape, stride: stride, padding: padding)
    let y = try Primitives.conv2dReLUMaxPool(
      input, weight, bias, stride: stride, padding: padding, poolKernel: pool.kernelSize,
      poolStride: pool.stride, poolPadding: pool.padding, policy: policy)
    return (y, [geo.batch, geo.outChannels, geo.outH, geo.outW])
  }

  private func checkInput(_ input: Variable) throws {
    guard input.shape.count == 4, input.shape[1] == inChannels else {
      throw ModuleError.invalidInput(
        "\(layerDescription) needs input [N, \(inChannels), H, W], got \(input.shape)")
    }
  }

  public override func clone() -> Module { Conv2d(copying: self) }
}
