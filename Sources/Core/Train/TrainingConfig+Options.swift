/// The options a table may set on a training run (`lethe.nn.fit`), each defaulting to the
/// value `TrainingConfig()` holds (or the base a caller starts from).
extension TrainingConfig: OptionConfigurable {
  /// "training".
  public static let optionOwner = "training"

  /// epochs, batch_size, seed, shuffle, drop_last, time_budget, clip_grad_norm, progress, schedule_unit.
  public static let options: [Option<TrainingConfig>] = [
    .field("epochs", \.epochs, doc: "passes over the training data"),
    .field("batch_size", \.batchSize, doc: "samples per mini-batch"),
    .field("seed", \.seed, doc: "seeds the batch order and dropout"),
    .field("shuffle", \.shuffle, doc: "a fresh seeded order every epoch"),
    .field("drop_last", \.dropLast, doc: "skip a last batch smaller than batch_size"),
    .field("time_budget", \.timeBudget, doc: "stop (between batches) after this many seconds"),
    .field("clip_grad_norm", \.clipGradientNorm, doc: "clip the gradients' joint norm to this before each step"),
    .field("progress", \.progress, doc: "auto (a bar on a terminal), lines or silent"),
    .field("schedule_unit", \.scheduleUnit, doc: "the schedule counts epochs or steps"),
  ]
}
