/// Modules applied in order. Children are named `"0"`, `"1"`, ... as in PyTorch's
/// `nn.Sequential`, or given names (PyTorch's `OrderedDict` form), which then appear in the
/// parameter names (`conv1.weight`).
///
/// Runs of layers that a fused primitive computes in fewer passes (same values and gradients)
/// are found once, when the Sequential is built: Conv2d → ReLU → MaxPool2d (unless the
/// convolution's policy says `fusePooling: false`) and Conv2d → ReLU.
public final class Sequential: Module, @unchecked Sendable {
  /// The layers with their names, in order.
  public let layers: [(String, Module)]
  /// What `forward` runs: the layers, with the fused runs found at construction.
  private let steps: [Step]

  /// One step of `forward`.
  private enum Step {
    case layer(Module)
    case convReLU(Conv2d, ReLU)
    case convReLUMaxPool(Conv2d, ReLU, MaxPool2d)
  }

  /// Layers named by position.
  public init(_ layers: [Module]) {
    self.layers = layers.enumerated().map { (String($0.offset), $0.element) }
    steps = Self.steps(layers)
    super.init()
  }

  /// Layers with explicit names, which must be unique, non-empty and free of dots.
  public init(named layers: [(String, Module)]) throws {
    var seen = Set<String>()
    for (name, _) in layers {
      guard !name.isEmpty, !name.contains("."), seen.insert(name).inserted else {
        throw ModuleError.invalidConfiguration(
          "Sequential layer name '\(name)' is empty, contains a dot or is repeated")
      }
    }
    self.layers = layers
    steps = Self.steps(layers.map(\.1))
    super.init()
  }

  private init(copying other: Sequential) {
    layers = other.layers.map { ($0.0, $0.1.clone()) }
    steps = Self.steps(layers.map(\.1))
    super.init()
    copyMode(from: other)
  }

  public override var children: [(String, Module)] { layers }
  public override var layerDescription: String { "Sequential" }

  public override func forward(_ input: Variable) throws -> Variable {
    var x = input
    for step in steps {
      switch step {
      case .layer(let layer):
        x = try layer(x)
      case .convReLU(let conv, let relu):
        x = try conv.forwardReLU(x)
        conv.lastOutputShape = x.shape
        relu.lastOutputShape = x.shape
      case .convReLUMaxPool(let conv, let relu, let pool):
        let (y, convShape) = try conv.forwardReLUMaxPool(x, pool: pool)
        x = y
        conv.lastOutputShape = convShape
        relu.lastOutputShape = convShape
        pool.lastOutputShape = x.shape
      }
    }
    return x
  }

  /// The steps that run `layers`: each Conv2d followed by a ReLU (and a MaxPool2d, when the
  /// convolution's policy allows) as one fused step, every other layer on its own.
  private static func steps(_ layers: [Module]) -> [Step] {
    var steps: [Step] = []
    var i = 0
    while i < layers.count {
      if let conv = layers[i] as? Conv2d, i + 1 < layers.count, let relu = layers[i + 1] as? ReLU {
        if conv.policy.fusePooling, i + 2 < layers.count, let pool = layers[i + 2] as? MaxPool2d {
          steps.append(.convReLUMaxPool(conv, relu, pool))
          i += 3
        } else {
          steps.append(.convReLU(conv, relu))
          i += 2
        }
        continue
      }
      steps.append(.layer(layers[i]))
      i += 1
    }
    return steps
  }

  public override func clone() -> Module { Sequential(copying: self) }
}
