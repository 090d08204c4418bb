extension SGD {
  /// SGD's hyperparameters with PyTorch's names and defaults (`lr` has none: it must be given).
  public struct Options: OptionConfigurable {
    /// lr.
    public var learningRate: Float?
    /// momentum.
    public var momentum: Float = 0
    /// dampening.
    public var dampening: Float = 0
    /// weight_decay (L2, added to the gradient).
    public var weightDecay: Float = 0
    /// nesterov.
    public var nesterov = false

    /// PyTorch's defaults.
    public init() {}

    /// "sgd".
    public static let optionOwner = "sgd"
    /// lr (required), momentum, dampening, weight_decay, nesterov.
    public static let options: [Option<Options>] = [
      .field("lr", \.learningRate, doc: "learning rate", required: true),
      .field("momentum", \.momentum, doc: "momentum factor"),
      .field("dampening", \.dampening, doc: "dampening of the momentum's new term"),
      .field("weight_decay", \.weightDecay, doc: "L2 penalty added to the gradient"),
      .field("nesterov", \.nesterov, doc: "Nesterov momentum (needs momentum > 0, dampening 0)"),
    ]
  }

  /// SGD over `parameters` with `options` (whose learning rate must be set).
  public convenience init(parameters: [Variable], options: Options) throws {
    guard let lr = options.learningRate else {
      throw OptimizerError.invalidHyperparameter("SGD needs a learning rate")
    }
    try self.init(
      parameters: parameters, learningRate: lr, momentum: options.momentum, dampening: options.dampening,
      weightDecay: options.weightDecay, nesterov: options.nesterov)
  }
}
