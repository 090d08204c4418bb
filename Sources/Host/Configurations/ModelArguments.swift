import Core

/// A model constructor's options table (`lethe.nn.cnn{...}`): the sample shape, the class count,
/// the initialisation seed and the model's own options (Core's `Models.Options`).
struct ModelArguments: OptionConfigurable {
  /// The sample shape, `{C, H, W}` or `{features}`.
  var input: [Int]?
  /// The number of classes.
  var classes: Int?
  /// Seeds the initial weights; the session's seed (`lethe.seed`) when nil.
  var seed: UInt64?
  /// dropout, hidden widths, activation, stem.
  var model = Models.Options()

  static let optionOwner = "model"
  static let options: [Option<ModelArguments>] =
    [
      .field("input", \.input, doc: "the sample shape {C, H, W} or {features}", required: true),
      .field("classes", \.classes, doc: "the number of classes", required: true),
      .field("seed", \.seed, doc: "seeds the initial weights (default: the session's seed)"),
    ] + Models.Options.options.map { $0.lifted(\.model) }
}
