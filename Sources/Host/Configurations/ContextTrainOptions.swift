import Core
import Methods

/// `ctx:train{...}`'s options table: which samples, for how long, with which of M0's
/// hyperparameters replaced, on which labels, towards which objective, with which optimiser.
struct ContextTrainOptions: OptionConfigurable {
  /// 1-based positions of training samples (or of `data`'s samples).
  var indices: [Int]?
  /// Passes over them (a training run's default).
  var epochs = TrainingConfig().epochs
  /// Replaces M0's learning rate.
  var learningRate: Double?
  /// Replaces M0's batch size.
  var batchSize: Int?
  /// Replaces M0's weight decay.
  var weightDecay: Double?
  /// Replaces M0's momentum (SGD).
  var momentum: Double?
  /// Climb the loss (gradient ascent).
  var ascend = false
  /// SGD or Adam.
  var optimizer = TrainingRequest.OptimizerKind.sgd
  /// Clip the gradients' joint norm before each step.
  var clipGradientNorm: Double?
  /// Seeds the data order.
  var seed: UInt64?

  static let optionOwner = "ctx:train"
  static let options: [Option<ContextTrainOptions>] = [
    .field("indices", \.indices, doc: "1-based positions of training samples (or of data's samples)"),
    .host("data", .object, doc: "a dataset to train on instead (e.g. ctx.data.forget); all of it unless indices"),
    .field("epochs", \.epochs, doc: "passes over them"),
    .field("lr", \.learningRate, doc: "learning rate (default: M0's)"),
    .field("batch_size", \.batchSize, doc: "batch size (default: M0's)"),
    .field("weight_decay", \.weightDecay, doc: "weight decay (default: M0's)"),
    .field("momentum", \.momentum, doc: "SGD momentum (default: M0's)"),
    .field("optimizer", \.optimizer, doc: "sgd or adam (PyTorch's betas and eps)"),
    .field("clip_grad_norm", \.clipGradientNorm, doc: "clip the gradients' joint norm to this before each step"),
    .field("seed", \.seed, doc: "seeds the data order (default: the run's seed plus the call's number)"),
    .host("relabel", .table, doc: "{[position] = label}: labels replacing the stored ones"),
    .field("ascend", \.ascend, doc: "climb the cross-entropy instead"),
    .host("loss", .function, doc: "loss(model, x, y) -> one-element tensor, replacing the cross-entropy"),
  ]
}
