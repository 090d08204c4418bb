import Core

extension FinetuneMethod {
  /// `finetune`'s options. Defaults: the survey's card (M0's hyperparameters, fewer epochs than
  /// M0; one epoch, Lethe's budget for a pass over the retained data); docs/methods.md gives the
  /// sources.
  struct Configuration: MethodConfiguration {
    static let owner = "method 'finetune'"
    static let epochs = OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over the retained data")
    static let lr = OptionSpec("lr", .number, default: .number(0), doc: "learning rate; 0 means M0's")
    static let maxSteps = OptionSpec(
      "max_steps", .integer, default: .number(0), doc: "stop after this many steps; 0: no limit")
    static let specs = [epochs, lr, maxSteps]

    /// Epochs over D \ x*.
    var epochs: Int
    /// The learning rate (nil: M0's).
    var learningRate: Double?
    /// The step budget (nil: none).
    var maxSteps: Int?

    init(_ o: MethodOptions) throws {
      let owner = Self.owner
      epochs = try o.integer(Self.epochs, owner: owner, "must be ≥ 0") { $0 >= 0 }
      learningRate = try o.positiveNumber(Self.lr, owner: owner)
      maxSteps = try o.positiveInteger(Self.maxSteps, owner: owner)
    }
  }
}
