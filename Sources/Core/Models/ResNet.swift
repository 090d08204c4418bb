import LetheKernels

/// torchvision's ResNet built from `BasicBlock`s (ResNet-18: two blocks per stage), with the
/// CIFAR stem (3×3 stride-1 conv, no max-pool) by default or the ImageNet stem (7×7 stride-2
/// conv, 3×3 stride-2 max-pool). State-dict names and shapes equal torchvision's.
public final class ResNet: Module, @unchecked Sendable {
  /// The stem: how the first layers treat the image.
  public enum Stem: String, Sendable, CaseIterable {
    /// 3×3 convolution, stride 1, no max-pool (for 32×32 images).
    case cifar
    /// 7×7 convolution, stride 2, padding 3, then a 3×3 stride-2 max-pool.
    case imagenet
  }

  /// The stem used.
  public let stem: Stem
  /// The stem convolution.
  public let conv1: Conv2d
  /// Batch norm after the stem.
  public let bn1: BatchNorm2d
  /// The ImageNet stem's max-pool.
  public let maxpool: MaxPool2d?
  /// The four stages, each a `Sequential` of blocks named "0", "1", ...
  public let stages: [Sequential]
  /// The final classifier.
  public let fc: Linear
  private let relu = ReLU()
  private let avgpool = AdaptiveAvgPool2d()
  private let flatten = Flatten()

  /// A ResNet with `blocks[i]` basic blocks in stage i (ResNet-18: `[2, 2, 2, 2]`), widths
  /// 64/128/256/512, torchvision's initialisation (conv: Kaiming normal, fan-out; BN: 1 and 0;
  /// fc: PyTorch's default); its convolutions run under `policy`.
  public init(
    blocks: [Int] = [2, 2, 2, 2], inputChannels: Int = 3, classes: Int = 10, stem: Stem = .cifar,
    policy: ConvPolicy = .current, rng: inout RandomGenerator
  ) throws {
    guard blocks.count == 4, blocks.allSatisfy({ $0 > 0 }) else {
      throw ModuleError.invalidConfiguration("ResNet needs four positive block counts, got \(blocks)")
    }
    self.stem = stem
    switch stem {
    case .cifar:
      conv1 = try Conv2d(
        inputChannels, 64, kernelSize: 3, stride: 1, padding: 1, bias: false,
        weightInit: .kaimingNormalFanOut, policy: policy, rng: &rng)
      maxpool = nil
    case .imagenet:
      conv1 = try Conv2d(
        inputChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false,
        weightInit: .kaimingNormalFanOut, policy: policy, rng: &rng)
      maxpool = try MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    bn1 = try BatchNorm2d(64)
    var stages: [Sequential] = []
    var width = 64
    for (i, count) in blocks.enumerated() {
      let out = 64 << i
      var layer: [Module] = []
      for b in 0..<count {
        layer.append(try BasicBlock(
          width, out, stride: (b == 0 && i > 0) ? 2 : 1, weightInit: .kaimingNormalFanOut,
          policy: policy, rng: &rng))
        width = out
      }
      stages.append(Sequential(layer))
    }
    self.stages = stages
    fc = try Linear(512, classes, rng: &rng)
    super.init()
  }

  private init(copying other: ResNet) {
    stem = other.stem
    conv1 = other.conv1.clone() as! Conv2d
    bn1 = other.bn1.clone() as! BatchNorm2d
    maxpool = other.maxpool.map { $0.clone() as! MaxPool2d }
    stages = other.stages.map { $0.clone() as! Sequential }
    fc = other.fc.clone() as! Linear
    super.init()
    copyMode(from: other)
  }

  public override var children: [(String, Module)] {
    var c: [(String, Module)] = [("conv1", conv1), ("bn1", bn1), ("relu", relu)]
    if let m = maxpool { c.append(("maxpool", m)) }
    for (i, s) in stages.enumerated() { c.append(("layer\(i + 1)", s)) }
    c.append(("avgpool", avgpool))
    c.append(("flatten", flatten))
    c.append(("fc", fc))
    return c
  }
  public override var layerDescription: String { "ResNet(stem: \(stem.rawValue))" }

  public override func forward(_ input: Variable) throws -> Variable {
    // relu(bn1(·)) as one fused primitive, by construction.
    var x = try bn1.forward(conv1(input), residual: nil, relu: true)
    bn1.lastOutputShape = x.shape
    relu.lastOutputShape = x.shape
    if let m = maxpool { x = try m(x) }
    for s in stages { x = try s(x) }
    return try fc(flatten(avgpool(x)))
  }

  public override func clone() -> Module { ResNet(copying: self) }
}
