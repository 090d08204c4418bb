import Core

/// `ctx:train{...}`'s options table: which training samples, for how long, with which of M0's
/// hyperparameters replaced, on which labels, in which direction.
struct ContextTrainOptions: OptionConfigurable {
  /// 1-based positions of training samples.
  var indices: [Int]?
  /// Passes over them (a training run's default).
  var epochs = TrainingConfig().epochs
  /// Replaces M0's learning rate.
  var learningRate: Double?
  /// Replaces M0's batch size.
  var batchSize: Int?
  /// Replaces M0's weight decay.
  var weightDecay: Double?
  /// Climb the loss (gradient ascent).
  var ascend = false

  static let optionOwner = "ctx:train"
  static let options: [Option<ContextTrainOptions>] = [
    .field("indices", \.indices, doc: "1-based positions of training samples", required: true),
    .field("epochs", \.epochs, doc: "passes over them"),
    .field("lr", \.learningRate, doc: "learning rate (default: M0's)"),
    .field("batch_size", \.batchSize, doc: "batch size (default: M0's)"),
    .field("weight_decay", \.weightDecay, doc: "weight decay (default: M0's)"),
    .host("relabel", .table, doc: "{[position] = label}: labels replacing the stored ones"),
    .field("ascend", \.ascend, doc: "climb the loss instead"),
  ]
}
