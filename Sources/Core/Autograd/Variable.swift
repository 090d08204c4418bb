/// A node of the autograd graph: a tensor value, its accumulated gradient, and the operation
/// that produced it.
///
/// Parameters and activations are `Variable`s; a `Variable` made by an operation while
/// gradient recording is on remembers its inputs and its primitive's gradient rule, so that
/// `backward()` can walk the graph in reverse. Gradients accumulate across `backward()` calls
/// until `zeroGrad()`.
public final class Variable: @unchecked Sendable {
  /// The value.
  public var value: Tensor
  /// The accumulated gradient of the last `backward()` root with respect to this value.
  public var grad: Tensor?
  /// Whether gradients flow to this variable.
  public var requiresGrad: Bool
  /// The operation that produced this variable, when recorded.
  public internal(set) var creator: GradNode?

  /// A leaf variable.
  public init(_ value: Tensor, requiresGrad: Bool = false) {
    self.value = value
    self.requiresGrad = requiresGrad
  }

  /// The value's shape.
  public var shape: [Int] { value.shape }

  /// Forgets the accumulated gradient.
  public func zeroGrad() { grad = nil }

  /// A leaf sharing this variable's value (copy-on-write), outside the graph.
  public func detached() -> Variable { Variable(value) }
}

/// One recorded operation: its inputs and the rule that maps the output's gradient to theirs.
public final class GradNode: @unchecked Sendable {
  /// The primitive's name, for error messages and graph dumps.
  public let name: String
  /// The operation's inputs, in order.
  public let inputs: [Variable]
  /// Maps the output gradient to one gradient per input (nil where an input needs none).
  public let backward: (Tensor) -> [Tensor?]

  /// A recorded operation.
  public init(name: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
    self.name = name
    self.inputs = inputs
    self.backward = backward
  }
}
