import LetheKernels

/// torchvision's ResNet `BasicBlock`: conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the
/// input (or a 1×1 conv + BN `downsample` shortcut when the stride or width changes), → ReLU.
/// Parameter names follow torchvision (`conv1`, `bn1`, `conv2`, `bn2`, `downsample.0`,
/// `downsample.1`).
public final class BasicBlock: Module, @unchecked Sendable {
  /// The first 3×3 convolution (carries the stride).
  public let conv1: Conv2d
  /// Batch norm after `conv1`.
  public let bn1: BatchNorm2d
  /// The second 3×3 convolution.
  public let conv2: Conv2d
  /// Batch norm after `conv2`.
  public let bn2: BatchNorm2d
  /// The projection shortcut (1×1 conv without bias, then batch norm), when present.
  public let downsample: Sequential?
  private let relu = ReLU()

  /// A block from `inChannels` to `outChannels`; the shortcut is a projection exactly when
  /// `stride != 1` or the widths differ (torchvision's rule). Convolutions are initialised
  /// with `weightInit` (PyTorch's default unless a ResNet asks for torchvision's) and run under
  /// `policy`.
  public init(
    _ inChannels: Int, _ outChannels: Int, stride: Int = 1,
    weightInit: WeightInit = .pytorchDefault, policy: ConvPolicy = .current,
    rng: inout RandomGenerator
  ) throws {
    conv1 = try Conv2d(
      inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false,
      weightInit: weightInit, policy: policy, rng: &rng)
    bn1 = try BatchNorm2d(outChannels)
    conv2 = try Conv2d(
      outChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, bias: false,
      weightInit: weightInit, policy: policy, rng: &rng)
    bn2 = try BatchNorm2d(outChannels)
    if stride != 1 || inChannels != outChannels {
      downsample = Sequential([
        try Conv2d(
          inChannels, outChannels, kernelSize: 1, stride: stride, bias: false,
          weightInit: weightInit, policy: policy, rng: &rng),
        try BatchNorm2d(outChannels),
      ])
    } else {
      downsample = nil
    }
    super.init()
  }

  private init(copying other: BasicBlock) {
    conv1 = other.conv1.clone() as! Conv2d
    bn1 = other.bn1.clone() as! BatchNorm2d
    conv2 = other.conv2.clone() as! Conv2d
    bn2 = other.bn2.clone() as! BatchNorm2d
    downsample = other.downsample.map { $0.clone() as! Sequential }
    super.init()
    copyMode(from: other)
  }

  public override var children: [(String, Module)] {
    var c: [(String, Module)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
    if let d = downsample { c.append(("downsample", d)) }
    return c
  }
  public override var layerDescription: String {
    "BasicBlock(\(conv1.inChannels), \(conv1.outChannels), stride: \(conv1.stride))"
  }

  public override func forward(_ input: Variable) throws -> Variable {
    // relu(bn1(·)) and relu(bn2(·) + identity) run as fused primitives, by construction (same
    // values and gradients as the composition, fewer passes over the activations).
    let h = try conv1(input)
    let out = try bn1.forward(h, residual: nil, relu: true)
    bn1.lastOutputShape = out.shape
    let identity = try downsample.map { try $0(input) } ?? input
    let z = try conv2(out)
    let y = try bn2.forward(z, residual: identity, relu: true)
    bn2.lastOutputShape = y.shape
    relu.lastOutputShape = y.shape
    return y
  }

  public override func clone() -> Module { BasicBlock(copying: self) }
}
