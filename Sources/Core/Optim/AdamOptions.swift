extension Adam {
  /// Adam's (or AdamW's) hyperparameters with PyTorch's names and defaults.
  public struct Options: OptionConfigurable {
    /// lr.
    public var learningRate: Float = 1e-3
    /// beta1: decay of the first-moment estimate.
    public var beta1: Float = 0.9
    /// beta2: decay of the second-moment estimate.
    public var beta2: Float = 0.999
    /// eps: added to the denominator.
    public var eps: Float = 1e-8
    /// weight_decay: L2 in the gradient (Adam) or a decoupled shrink (AdamW).
    public var weightDecay: Float = 0
    /// Decoupled weight decay (AdamW); not an option of the table, the constructor decides.
    public var decoupled = false

    /// Adam's defaults (PyTorch's `torch.optim.Adam`).
    public init() {}

    /// AdamW's defaults (PyTorch's `torch.optim.AdamW`): decoupled weight decay 1e-2.
    public static var adamW: Options {
      var o = Options()
      o.weightDecay = 1e-2
      o.decoupled = true
      return o
    }

    /// "adam".
    public static let optionOwner = "adam"
    /// lr, beta1, beta2, eps, weight_decay.
    public static let options: [Option<Options>] = [
      .field("lr", \.learningRate, doc: "learning rate"),
      .field("beta1", \.beta1, doc: "decay of the first-moment estimate"),
      .field("beta2", \.beta2, doc: "decay of the second-moment estimate"),
      .field("eps", \.eps, doc: "added to the denominator"),
      .field("weight_decay", \.weightDecay, doc: "weight decay (decoupled for AdamW)"),
    ]
  }

  /// Adam (or AdamW, when `options.decoupled`) over `parameters`.
  public convenience init(parameters: [Variable], options: Options) throws {
    try self.init(
      parameters: parameters, learningRate: options.learningRate, beta1: options.beta1, beta2: options.beta2,
      eps: options.eps, weightDecay: options.weightDecay, decoupled: options.decoupled)
  }
}
