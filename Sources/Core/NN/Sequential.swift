import LetheKernels

/// Modules applied in order. Children are named `"0"`, `"1"`, ... as in PyTorch's
/// `nn.Sequential`, or given names (PyTorch's `OrderedDict` form), which then appear in the
/// parameter names (`conv1.weight`).
public final class Sequential: Module, @unchecked Sendable {
  /// The layers with their names, in order.
  public let layers: [(String, Module)]

  /// Layers named by position.
  public init(_ layers: [Module]) {
    self.layers = layers.enumerated().map { (String($0.offset), $0.element) }
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
    super.init()
  }

  private init(copying other: Sequential) {
    layers = other.layers.map { ($0.0, $0.1.clone()) }
    super.init()
    copyMode(from: other)
  }

  public override var children: [(String, Module)] { layers }
  public override var layerDescription: String { "Sequential" }

  public override func forward(_ input: Variable) throws -> Variable {
    var x = input
    var i = 0
    while i < layers.count {
      // Conv2d followed by ReLU (and MaxPool2d) runs as one fused primitive (same values and
      // gradients), unless one of them is observed (ModuleObservation.swift).
      if let conv = layers[i].1 as? Conv2d, i + 2 < layers.count, let relu = layers[i + 1].1 as? ReLU,
        let pool = layers[i + 2].1 as? MaxPool2d, Conv2dKernels.fusePooling,
        !(conv.isObserved || relu.isObserved || pool.isObserved)
      {
        let (y, convShape) = try conv.forwardReLUMaxPool(x, pool: pool)
        x = y
        conv.lastOutputShape = convShape
        relu.lastOutputShape = convShape
        pool.lastOutputShape = x.shape
        i += 3
        continue
      }
      if let conv = layers[i].1 as? Conv2d, i + 1 < layers.count, let relu = layers[i + 1].1 as? ReLU,
        !(conv.isObserved || relu.isObserved)
      {
        x = try conv.forwardReLU(x)
        conv.lastOutputShape = x.shape
        relu.lastOutputShape = x.shape
        i += 2
        continue
      }
      x = try layers[i].1(x)
      i += 1
    }
    return x
  }

  public override func clone() -> Module { Sequential(copying: self) }
}
