import Core

/// `lethe.nn.fit`'s options table: a training run's options (Core's `TrainingConfig`, whose
/// seed and progress default to the session's) plus what only Lua can give (a schedule table, an
/// evaluation dataset, hooks, a loss function).
struct FitOptions: OptionConfigurable {
  /// The run's settings.
  var training = TrainingConfig()
  /// Seeds the batch order and dropout; the session's seed (`lethe.seed`) when nil.
  var seed: UInt64?
  /// How progress shows; silent in a quiet session, else automatic, when nil.
  var progress: ProgressStyle?

  static let optionOwner = "fit"
  static let options: [Option<FitOptions>] =
    TrainingConfig.options.map { o in
      switch o.name {
      case "seed": return .field("seed", \.seed, doc: "\(o.doc) (default: the session's seed)")
      case "progress": return .field("progress", \.progress, doc: "\(o.doc) (default: silent in a quiet session)")
      default: return o.lifted(\.training)
      }
    } + [
      .host("schedule", .table, doc: "learning-rate schedule {kind = 'step'|'cosine'|'warmup'|'constant', ...}"),
      .host("eval", .object, doc: "a dataset evaluated after each epoch"),
      .host("after_step", .function, doc: "f(info) after each step"),
      .host("before_update", .function, doc: "f(info) between backward and the update"),
      .host("after_epoch", .function, doc: "f(info) after each epoch"),
      .host("loss", .function, doc: "f(logits, labels) -> Tensor replacing cross-entropy"),
    ]
}
