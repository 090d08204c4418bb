/// A node of the autograd graph: a tensor value, its accumulated gradient, and the operation
/// that produced it.
///
/// Parameters and activations are `Variable`s; a `Variable` made by an operation while
/// gradient recording is on remembers its inputs and its primitive's gradient rule, so that
/// `backward()` can walk the graph in reverse. Gradients accumulate across `backward()` calls
/// until `zeroGrad()`.
// @unchecked Sendable: a Variable is mutable graph state owned by one training step at a time;
// it is handed between tasks (e.g. to the Lua host) but never mutated concurrently.
public final class Variable: @unchecked Sendable {
  /// The value.
  public var value: Tensor
  /// The accumulated gradient of the last `backward()` root with respect to this value.
  public var grad: Tensor?
  /// Whether gradients flow to this variable.
  public var requiresGrad: Bool
  /// The operation that produced this variable, when recorded.
  public internal(set) var creator: GradNode?
  /// Whether `backward()` also stores the gradient of this non-leaf (see `retainGrad()`).
  public private(set) var retainsGrad = false

  /// A leaf variable.
  public init(_ value: Tensor, requiresGrad: Bool = false) {
    self.value = value
    self.requiresGrad = requiresGrad
  }

  /// The value's shape.
  public var shape: [Int] { value.shape }

  /// Whether this variable was created by the user rather than recorded from an operation.
  public var isLeaf: Bool { creator == nil }

  /// Forgets the accumulated gradient.
  public func zeroGrad() { grad = nil }

  /// A leaf sharing this variable's value (copy-on-write), outside the graph.
  public func detached() -> Variable { Variable(value) }

  /// Makes `backward()` store this non-leaf's gradient in `grad` too (leaves always get one).
  public func retainGrad() { retainsGrad = true }

  // Tears a dying graph down iteratively: releasing a long chain node by node would otherwise
  // recurse once per node through deinit and overflow the stack.
  deinit {
    guard var node = creator else { return }
    creator = nil
    guard isKnownUniquelyReferenced(&node) else { return }
    var stack = [node]
    while let n = stack.popLast() {
      var inputs = n.inputs
      n.inputs = []
      for i in inputs.indices where isKnownUniquelyReferenced(&inputs[i]) {
        guard var c = inputs[i].creator else { continue }
        inputs[i].creator = nil
        if isKnownUniquelyReferenced(&c) { stack.append(c) }
      }
    }
  }
}

/// One recorded operation: its inputs and the rule that maps the output's gradient to theirs.
public final class GradNode: @unchecked Sendable {
  /// The primitive's name, for error messages and graph dumps.
  public let name: String
  /// The operation's inputs, in order (emptied when the graph is torn down).
  public internal(set) var inputs: [Variable]
  /// Maps the output gradient to one gradient per input (nil where an input needs none).
  public let backward: (Tensor) throws -> [Tensor?]

  /// A recorded operation.
  public init(name: String, inputs: [Variable], backward: @escaping (Tensor) throws -> [Tensor?]) {
    self.name = name
    self.inputs = inputs
    self.backward = backward
  }
}
