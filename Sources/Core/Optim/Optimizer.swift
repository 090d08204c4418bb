/// A gradient-descent optimiser over a fixed list of parameter variables.
///
/// `step()` reads each parameter's accumulated `grad` (parameters without one are skipped, as
/// in PyTorch) and updates `value` in place. The learning rate is a property so that schedules
/// and the training loop can set it between steps.
public protocol Optimizer: AnyObject {
  /// The parameters updated, in order.
  var parameters: [Variable] { get }
  /// The learning rate of the next step.
  var learningRate: Float { get set }
  /// Applies one update from the current gradients.
  func step() throws
  /// Forgets the per-parameter state (momentum buffers, moment estimates, step counts).
  func resetState()
}

extension Optimizer {
  /// Forgets every parameter's gradient.
  public func zeroGrad() {
    for p in parameters { p.grad = nil }
  }
}

/// Errors from optimiser construction and steps.
public enum OptimizerError: Error, CustomStringConvertible, Equatable {
  /// A hyper-parameter outside its valid range.
  case invalidHyperparameter(String)
  /// A gradient whose shape differs from its parameter's.
  case gradientShape(String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .invalidHyperparameter(let m): return "invalid optimiser setting: \(m)"
    case .gradientShape(let m): return "gradient shape: \(m)"
    }
  }
}

func checkGradient(_ p: Variable, _ g: Tensor, index: Int) throws {
  guard g.count == p.value.count else {
    throw OptimizerError.gradientShape(
      "parameter #\(index) has shape \(p.value.shape) but its gradient has shape \(g.shape)")
  }
}
