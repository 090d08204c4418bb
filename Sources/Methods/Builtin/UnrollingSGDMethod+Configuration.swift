import Core

extension UnrollingSGDMethod {
  /// `unrolling_sgd`'s options. Defaults: cleverhans-lab/unrolling-sgd (the regulariser weight
  /// `std_reg = 1.0` of `Unlearning/checkpoint_version.py`, as the survey; the gradient at the
  /// latest checkpoint, i.e. at M0's final weights, as `checkpoint_version.py` and
  /// `cumulative_verification.py` take it; one training batch per gradient batch). docs/methods.md
  /// gives the sources.
  struct Configuration: MethodConfiguration {
    static let owner = "method 'unrolling_sgd'"
    static let stdWeight = OptionSpec(
      "std_weight", .number, default: .number(1), doc: "weight of the std(logits) regulariser in M0's loss (0: none)")
    static let checkpointEpoch = OptionSpec(
      "checkpoint_epoch", .integer, default: .number(-1),
      doc: "weights whose gradient is added back: -1 = M0's final weights, 0 = initial weights, e = after epoch e")
    static let scale = OptionSpec("scale", .number, default: .number(1), doc: "multiplier on the unrolled step")
    static let batchSize = OptionSpec(
      "batch_size", .integer, default: .number(0), doc: "samples per gradient batch; 0 means M0's batch size")
    static let specs = [stdWeight, checkpointEpoch, scale, batchSize]

    /// The regulariser's weight.
    var stdWeight: Double
    /// The checkpoint epoch (nil: M0's final weights).
    var checkpointEpoch: Int?
    /// The step's multiplier.
    var scale: Double
    /// The gradient batch size (nil: M0's).
    var batchSize: Int?

    init(_ o: MethodOptions) throws {
      let owner = Self.owner
      stdWeight = try o.number(Self.stdWeight, owner: owner, "must be ≥ 0") { $0 >= 0 }
      let e = try o.integer(Self.checkpointEpoch, owner: owner, "must be ≥ -1") { $0 >= -1 }
      checkpointEpoch = e >= 0 ? e : nil
      scale = try o.number(Self.scale, owner: owner, "must be ≥ 0") { $0 >= 0 }
      batchSize = try o.positiveInteger(Self.batchSize, owner: owner)
    }
  }
}
