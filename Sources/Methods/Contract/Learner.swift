import Core

/// The view of a model that unlearning methods work through: a flat parameter vector, the loss
/// gradient on a batch, and evaluation logits.
///
/// Models are `Core` modules (the CNN, the MLP, ResNet-18) behind the adapter `ModuleLearner`;
/// training goes through `Core`'s `Trainer` (see `SGDTrainer`), and these flat views serve
/// methods that work on whole parameter vectors (Newton steps, iterate arithmetic).
/// Parameters are flattened in the model's named-parameter order.
public protocol Learner: AnyObject {
  /// The number of output classes.
  var classCount: Int { get }
  /// The number of trainable scalars.
  var parameterCount: Int { get }
  /// The trainable parameters, flattened.
  func parameterVector() -> [Float]
  /// Replaces the trainable parameters; throws when the length is wrong.
  func loadParameterVector(_ vector: [Float]) throws
  /// Everything needed to restore the model exactly: parameters and buffers (batch-norm running
  /// statistics), flattened.
  func stateVector() -> [Float]
  /// Restores a `stateVector()`; throws when the length is wrong.
  func loadStateVector(_ vector: [Float]) throws
  /// The mean loss over the batch and its gradient with respect to `parameterVector()`, in
  /// training mode. `stepSeed` seeds any randomness of the step (dropout) so that runs repeat.
  func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws
    -> (loss: Double, gradient: [Float])
  /// Logits `[n, classCount]` in evaluation mode, without recording gradients.
  func logits(inputs: Tensor) throws -> Tensor
  /// An independent deep copy (parameters, buffers, architecture).
  func copy() -> Learner
}

/// What a loss compares the model's outputs with.
public enum Targets: Sendable {
  /// Class labels: mean cross-entropy.
  case labels([Int])
  /// Target distributions `[n, K]` (rows sum to 1): mean cross-entropy with soft targets, whose
  /// gradient equals that of KL(target ‖ softmax(output)).
  case distributions(Tensor)

  /// The number of samples the targets describe.
  public var count: Int {
    switch self {
    case .labels(let l): return l.count
    case .distributions(let t): return t.shape.first ?? 0
    }
  }
}
