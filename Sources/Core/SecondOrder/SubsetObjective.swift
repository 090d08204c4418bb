/// A scalar loss of a model as a function of a parameter subset: evaluates the loss and its
/// gradient with respect to the subset's coordinates at the current parameter values.
///
/// `loss` runs the model's forward pass and returns a one-element variable (a mean
/// cross-entropy over a batch, a regularised objective, ...). It is called with gradient
/// recording on for the subset's parameters only, so layers before the first subset
/// parameter record no graph. It must be deterministic: put the model in evaluation mode
/// (dropout would make every evaluation differ).
public struct SubsetObjective {
  /// The coordinates the loss is differentiated with respect to.
  public let subset: ParameterSubset
  /// Computes the scalar loss from the model's current parameters.
  public let loss: () throws -> Variable

  /// An objective over `subset`.
  public init(subset: ParameterSubset, loss: @escaping () throws -> Variable) {
    self.subset = subset
    self.loss = loss
  }

  /// The loss and its gradient over the subset at the current values. The model's gradients
  /// and `requiresGrad` flags are left as they were.
  public func evaluate() throws -> (value: Double, gradient: [Double]) {
    try subset.withGradientsOnSubset {
      let l = try GradMode.withGrad { try loss() }
      guard l.value.count == 1 else {
        throw SecondOrderError.invalidArgument(
          "the loss must be a single value, got shape \(l.shape)")
      }
      let value = Double(l.value.storage[0])
      guard value.isFinite else {
        throw SecondOrderError.invalidArgument("the loss is \(value)")
      }
      // A loss that does not depend on the subset has a zero gradient.
      guard l.requiresGrad else { return (value, [Double](repeating: 0, count: subset.count)) }
      try l.backward()
      return (value, subset.gradients())
    }
  }

  /// The gradient over the subset at the current values.
  public func gradient() throws -> [Double] { try evaluate().gradient }
}
