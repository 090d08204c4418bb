/// A layer or a network: parameters and buffers with PyTorch-style dotted names, child modules,
/// a training/evaluation mode, and a forward pass over autograd `Variable`s.
///
/// There is no reflection: a subclass lists its own parameters (`localParameters`), buffers
/// (`localBuffers`) and children (`children`), in PyTorch's registration order, and everything
/// else (state dicts, flat vectors, counts, the printed tree) is derived from those three lists.
/// Parameters keep their `Variable` identity for the module's lifetime; loading a checkpoint or a
/// flat vector writes into `Variable.value`, so optimisers holding the variables stay valid.
///
/// `@unchecked Sendable`: a module is mutable shared state (parameters, running statistics,
/// mode); it may move between tasks but must be used by one at a time, like a PyTorch module.
open class Module: @unchecked Sendable {
  /// Whether the module is in training mode (batch statistics, dropout on).
  public var isTraining: Bool { isTrainingStorage }
  var isTrainingStorage = true
  /// The shape of the last output of `callAsFunction`, used by `summary(inputShape:)`.
  public internal(set) var lastOutputShape: [Int]?
  /// Called by `callAsFunction` with each input and output while set (see
  /// `observingForward(of:_:during:)`, which sets and restores it). Nil, the default, costs one
  /// comparison per call and changes nothing.
  public internal(set) var forwardObserver: ForwardObserver?

  /// A module in training mode.
  public init() {}

  /// Child modules with their names, in registration order (`"conv1"`, `"0"`, ...).
  open var children: [(String, Module)] { [] }
  /// This module's own parameters (not its children's), in registration order.
  open var localParameters: [(String, Variable)] { [] }
  /// This module's own buffers (running statistics, counters), in registration order.
  open var localBuffers: [(String, Buffer)] { [] }
  /// A one-line description of this module alone, e.g. `Conv2d(1, 32, kernel: 3)`.
  open var layerDescription: String { String(describing: type(of: self)) }

  /// The forward pass. Subclasses override it; the base module has none.
  open func forward(_ input: Variable) throws -> Variable {
    throw ModuleError.invalidInput("\(layerDescription) has no forward pass")
  }

  /// A deep copy: new parameter variables and buffers with equal values, the same mode and
  /// configuration, no gradients. Every subclass overrides it.
  open func clone() -> Module {
    preconditionFailure("\(type(of: self)) must override clone()")
  }

  /// Runs `forward`, remembers the output shape (counting its work while a `WorkMeter.measure`
  /// runs) and shows input and output to the forward observer, if any.
  public func callAsFunction(_ input: Variable) throws -> Variable {
    let output = WorkMeter.isMeasuring ? try WorkMeter.counting(self, input) { try forward(input) } : try forward(input)
    lastOutputShape = output.shape
    if let forwardObserver { try forwardObserver(input, output) }
    return output
  }

  /// Switches this module and all its descendants to training (`true`) or evaluation mode.
  public func train(_ on: Bool = true) {
    isTrainingStorage = on
    for (_, child) in children { child.train(on) }
  }

  /// Switches this module and all its descendants to evaluation mode.
  public func eval() { train(false) }

  /// Copies the mode of `other` onto this module alone (used by `clone()` implementations).
  public func copyMode(from other: Module) { isTrainingStorage = other.isTrainingStorage }
}

/// A named tensor a module keeps that is not trained by gradient descent: batch-norm running
/// statistics and the `num_batches_tracked` counter.
///
/// `@unchecked Sendable`: owned by one module, which is used by one task at a time.
public final class Buffer: @unchecked Sendable {
  /// The current value.
  public var value: Tensor
  /// Whether the buffer holds an integer count (written as I64 in checkpoints, as PyTorch does).
  public let isInteger: Bool

  /// A buffer with an initial value.
  public init(_ value: Tensor, isInteger: Bool = false) {
    self.value = value
    self.isInteger = isInteger
  }

  /// A buffer with the same value and kind.
  public func copy() -> Buffer { Buffer(value, isInteger: isInteger) }
}

/// Errors from modules, models and their state: bad inputs, unknown names, mismatched shapes.
public enum ModuleError: Error, CustomStringConvertible, Equatable {
  /// An input a layer cannot take (wrong rank, wrong channel count, too small).
  case invalidInput(String)
  /// A configuration that cannot build a layer or model.
  case invalidConfiguration(String)
  /// A state (flat vector, state dict) that does not fit the module.
  case stateMismatch(String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .invalidInput(let m): return "invalid input: \(m)"
    case .invalidConfiguration(let m): return "invalid configuration: \(m)"
    case .stateMismatch(let m): return "state mismatch: \(m)"
    }
  }
}

extension Variable {
  /// A new leaf with a copy of this variable's value and the same `requiresGrad` (no gradient).
  func clonedParameter() -> Variable { Variable(value, requiresGrad: requiresGrad) }
}
