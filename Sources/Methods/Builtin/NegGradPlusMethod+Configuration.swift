import Core

extension NegGradPlusMethod {
  /// `neggrad+`'s options. Defaults: Kurmanji et al.'s NegGrad+ (meghdadk/SCRUB, the large-scale
  /// settings of `MIA_experiments.ipynb` and `large_scale_ictest.ipynb`: `ng_alpha = 0.9999`,
  /// `ng_lr = 0.01`, plain SGD without weight decay), one epoch (Lethe's budget for a pass over
  /// the retained data); the forget-loss bound is `AscentGuard`'s. docs/methods.md gives the
  /// sources.
  struct Configuration: MethodConfiguration {
    static let owner = "method 'neggrad+'"
    static let epochs = OptionSpec("epochs", .integer, default: .number(1), doc: "epochs over the retained data")
    static let lr = OptionSpec("lr", .number, default: .number(0.01), doc: "learning rate (plain SGD)")
    static let alpha = OptionSpec(
      "alpha", .number, default: .number(0.9999), doc: "weight of the retained loss (0...1); 1 − alpha weighs the ascent")
    static let maxSteps = OptionSpec(
      "max_steps", .integer, default: .number(0), doc: "stop after this many steps; 0: no limit")
    static let forgetLossBound = AscentGuard.boundOption
    static let specs = [epochs, lr, alpha, maxSteps, forgetLossBound]

    /// Epochs over D \ x*.
    var epochs: Int
    /// The learning rate.
    var learningRate: Double
    /// The retained loss's weight α.
    var alpha: Double
    /// The step budget (nil: none).
    var maxSteps: Int?
    /// The forget-loss bound (nil: ln K).
    var forgetLossBound: Double?

    init(_ o: MethodOptions) throws {
      let owner = Self.owner
      epochs = try o.integer(Self.epochs, owner: owner, "must be ≥ 0") { $0 >= 0 }
      learningRate = try o.number(Self.lr, owner: owner, "must be ≥ 0") { $0 >= 0 }
      alpha = try o.number(Self.alpha, owner: owner, "must be in [0, 1]") { (0...1).contains($0) }
      maxSteps = try o.positiveInteger(Self.maxSteps, owner: owner)
      forgetLossBound = try o.positiveNumber(Self.forgetLossBound, owner: owner)
    }
  }
}
