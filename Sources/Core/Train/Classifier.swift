/// Anything that maps a batch of inputs to class logits: a `Module` whose outputs are logits, a
/// learner of the method layer (one module or an ensemble of them). `Evaluation` measures any
/// classifier, so there is one evaluation loop for all of them.
public protocol Classifier: AnyObject {
  /// Logits `[n, K]` for inputs `[n, ...]`, in evaluation mode (dropout off, batch-norm running
  /// statistics), without recording gradients; the model's own modes are left as they were.
  func logits(inputs: Tensor) throws -> Tensor
}

extension Module: Classifier {
  /// The forward pass in evaluation mode without gradients; each submodule's mode is restored.
  public func logits(inputs: Tensor) throws -> Tensor {
    try inEvaluationMode { try GradMode.withoutGrad { try self(Variable(inputs)).value } }
  }
}
