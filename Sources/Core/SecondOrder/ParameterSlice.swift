/// One output unit of a `Linear` layer or one output channel of a `Conv2d` layer: row `unit` of
/// the layer's weight (`[out, in]` or `[out, in, k, k]`) and element `unit` of its bias.
///
/// LCODEC edits models slice by slice; `layer` is the layer's dotted module name (`"fc1"`,
/// `"layer1.0.conv1"`), as in the parameter names without `.weight`/`.bias`.
public struct ParameterSlice: Hashable, Sendable, CustomStringConvertible {
  /// The layer's dotted module name.
  public let layer: String
  /// The output unit or channel, 0-based.
  public let unit: Int

  /// The slice of `layer` at output `unit`.
  public init(layer: String, unit: Int) {
    self.layer = layer
    self.unit = unit
  }

  /// `fc1[3]`.
  public var description: String { "\(layer)[\(unit)]" }

  /// Every slice of every `Linear` and `Conv2d` layer of `model`, in module order and unit
  /// order: LCODEC's candidates.
  public static func all(of model: Module) -> [ParameterSlice] {
    model.namedModules().flatMap { name, module -> [ParameterSlice] in
      guard let outputs = sliceableOutputs(module) else { return [] }
      return (0..<outputs).map { ParameterSlice(layer: name, unit: $0) }
    }
  }

  /// The number of output units of a layer that has slices (`Linear`, `Conv2d`), else nil.
  public static func sliceableOutputs(_ module: Module) -> Int? {
    if let l = module as? Linear { return l.outFeatures }
    if let c = module as? Conv2d { return c.outChannels }
    return nil
  }
}
