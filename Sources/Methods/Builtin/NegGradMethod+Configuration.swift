import Core

extension NegGradMethod {
  /// `neggrad`'s options. Defaults: Jia et al.'s GA baseline (OPTML-Group/Unlearn-Sparse, README
  /// `--unlearn GA --unlearn_lr 0.0001 --unlearn_epochs 5`, the optimiser of `unlearn/impl.py`
  /// with the training's momentum, weight decay and batch size); the forget-loss bound is
  /// `AscentGuard`'s. docs/methods.md gives the sources.
  struct Configuration: MethodConfiguration {
    static let owner = "method 'neggrad'"
    static let epochs = OptionSpec("epochs", .integer, default: .number(5), doc: "epochs over the forget set")
    static let lr = OptionSpec("lr", .number, default: .number(1e-4), doc: "ascent learning rate")
    static let batchSize = OptionSpec("batch_size", .integer, default: .number(0), doc: "batch size; 0 means M0's")
    static let forgetLossBound = AscentGuard.boundOption
    static let specs = [epochs, lr, batchSize, forgetLossBound]

    /// Epochs over x*.
    var epochs: Int
    /// The ascent learning rate.
    var learningRate: Double
    /// The batch size (nil: M0's).
    var batchSize: Int?
    /// The forget-loss bound (nil: ln K).
    var forgetLossBound: Double?

    init(_ o: MethodOptions) throws {
      let owner = Self.owner
      epochs = try o.integer(Self.epochs, owner: owner, "must be ≥ 0") { $0 >= 0 }
      learningRate = try o.number(Self.lr, owner: owner, "must be ≥ 0") { $0 >= 0 }
      batchSize = try o.positiveInteger(Self.batchSize, owner: owner)
      forgetLossBound = try o.positiveNumber(Self.forgetLossBound, owner: owner)
    }
  }
}
