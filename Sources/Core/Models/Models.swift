import LetheKernels

/// The survey's three models by name, built with a seed: `cnn` (PyTorch's MNIST example),
/// `mlp` (SISA's Purchase model) and `resnet18`.
public enum Models {
  /// The names `make` accepts.
  public static let names = ["cnn", "mlp", "resnet18"]

  /// Options that only some models read; the defaults are the reference models'.
  public struct Options: Sendable {
    /// `cnn`: dropout after the max-pool (PyTorch's example: 0.25; 0 removes it).
    public var cnnDropout1: Float = 0.25
    /// `cnn`: dropout after fc1 (PyTorch's example: 0.5; 0 removes it).
    public var cnnDropout2: Float = 0.5
    /// `cnn`: fc1's width.
    public var cnnHidden = 128
    /// `mlp`: hidden widths (SISA's Purchase model: `[128]`).
    public var mlpHidden = [128]
    /// `mlp`: the activation after each hidden layer.
    public var mlpActivation = Activation.tanh
    /// `resnet18`: the stem.
    public var resnetStem = ResNet.Stem.cifar
    /// Which convolution algorithms the model's layers may run, and whether Conv2d → ReLU →
    /// MaxPool2d fuses (by default the environment's, `LETHE_CONV`; benchmarks compare others).
    public var convPolicy = ConvPolicy.current

    /// The reference models' options.
    public init() {}
  }

  /// A hidden-layer activation.
  public enum Activation: String, Sendable, CaseIterable {
    /// max(x, 0).
    case relu
    /// tanh(x).
    case tanh
  }

  /// A model for images (or feature vectors) of shape `[inputChannels, imageSize, imageSize]`.
  /// For `mlp` the input is flattened, so `[600]` features are `inputChannels: 600, imageSize: 1`;
  /// prefer `make(_:inputShape:classes:seed:options:)` there.
  public static func make(
    name: String, inputChannels: Int, imageSize: Int, classes: Int, seed: UInt64,
    options: Options = Options()
  ) throws -> Module {
    try make(name, inputShape: [inputChannels, imageSize, imageSize], classes: classes, seed: seed,
      options: options)
  }

  /// A model for samples of shape `inputShape` (`[C, H, W]` for `cnn`/`resnet18`, any shape for
  /// `mlp`). Throws for an unknown name, listing the valid ones, and for unusable shapes.
  public static func make(
    _ name: String, inputShape: [Int], classes: Int, seed: UInt64, options: Options = Options()
  ) throws -> Module {
    guard classes > 0 else {
      throw ModuleError.invalidConfiguration("\(name) needs a positive class count, got \(classes)")
    }
    guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
      throw ModuleError.invalidConfiguration("\(name) needs a positive input shape, got \(inputShape)")
    }
    var rng = RandomGenerator(seed: seed)
    switch name.lowercased() {
    case "cnn":
      return try cnn(inputShape: inputShape, classes: classes, options: options, rng: &rng)
    case "mlp":
      return try mlp(
        inputFeatures: inputShape.reduce(1, *), classes: classes, hidden: options.mlpHidden,
        activation: options.mlpActivation, flatten: inputShape.count > 1, rng: &rng)
    case "resnet18":
      guard inputShape.count == 3 else {
        throw ModuleError.invalidConfiguration("resnet18 needs [C, H, W] input, got \(inputShape)")
      }
      return try ResNet(
        blocks: [2, 2, 2, 2], inputChannels: inputShape[0], classes: classes,
        stem: options.resnetStem, policy: options.convPolicy, rng: &rng)
    default:
      throw ModuleError.invalidConfiguration(
        "unknown model '\(name)'; valid names: \(names.joined(separator: ", "))")
    }
  }

  /// PyTorch's MNIST example: conv1 (C→32, 3×3), ReLU, conv2 (32→64, 3×3), ReLU, max-pool 2,
  /// dropout1, flatten, fc1 (64·⌊(H−4)/2⌋·⌊(W−4)/2⌋ → 128; 9216 for 28×28), ReLU, dropout2,
  /// fc2 (128 → classes). Dropout layers with rate 0 are left out.
  public static func cnn(
    inputShape: [Int], classes: Int, options: Options = Options(), rng: inout RandomGenerator
  ) throws -> Sequential {
    guard inputShape.count == 3, inputShape[1] >= 6, inputShape[2] >= 6 else {
      throw ModuleError.invalidConfiguration(
        "cnn needs [C, H, W] input with H, W ≥ 6, got \(inputShape)")
    }
    let flat = 64 * ((inputShape[1] - 4) / 2) * ((inputShape[2] - 4) / 2)
    var layers: [(String, Module)] = [
      ("conv1", try Conv2d(inputShape[0], 32, kernelSize: 3, policy: options.convPolicy, rng: &rng)),
      ("relu1", ReLU()),
      ("conv2", try Conv2d(32, 64, kernelSize: 3, policy: options.convPolicy, rng: &rng)),
      ("relu2", ReLU()),
      ("pool", try MaxPool2d(kernelSize: 2)),
    ]
    if options.cnnDropout1 > 0 { layers.append(("dropout1", try Dropout(p: options.cnnDropout1, rng: &rng))) }
    layers.append(("flatten", Flatten()))
    layers.append(("fc1", try Linear(flat, options.cnnHidden, rng: &rng)))
    layers.append(("relu3", ReLU()))
    if options.cnnDropout2 > 0 { layers.append(("dropout2", try Dropout(p: options.cnnDropout2, rng: &rng))) }
    layers.append(("fc2", try Linear(options.cnnHidden, classes, rng: &rng)))
    return try Sequential(named: layers)
  }

  /// A multilayer perceptron: fc1 (features → hidden[0]), activation, ..., fcN (→ classes).
  public static func mlp(
    inputFeatures: Int, classes: Int, hidden: [Int] = [128], activation: Activation = .tanh,
    flatten: Bool = false, rng: inout RandomGenerator
  ) throws -> Sequential {
    var layers: [(String, Module)] = []
    if flatten { layers.append(("flatten", Flatten())) }
    var width = inputFeatures
    for (i, h) in hidden.enumerated() {
      layers.append(("fc\(i + 1)", try Linear(width, h, rng: &rng)))
      layers.append(("act\(i + 1)", activation == .tanh ? Tanh() as Module : ReLU()))
      width = h
    }
    layers.append(("fc\(hidden.count + 1)", try Linear(width, classes, rng: &rng)))
    return try Sequential(named: layers)
  }
}
