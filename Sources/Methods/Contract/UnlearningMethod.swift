import Core

/// The method contract: a name, documented options, and two moments.
///
/// - `prepare` runs before M0 trains and may return an observer that records what `unlearn`
///   will need (SISA's shards, DeltaGrad's trajectory, per-epoch checkpoints).
/// - `unlearn` turns a fresh copy of M0 plus a forget request into M_unlearn and reports what it
///   did.
///
/// Swift methods conform directly; Lua methods (`lethe.method{...}`) conform through the host's
/// adapter. Both sit in the same `MethodRegistry`, so schedules and reports cannot tell them apart.
public protocol UnlearningMethod: AnyObject {
  /// The name, options and documentation.
  var descriptor: MethodDescriptor { get }
  /// An observer for M0's training, or nil when the method needs nothing from it.
  func prepare(options: MethodOptions) throws -> TrainingObserver?
  /// M_unlearn from `context.model` (a fresh copy of M0 the method may modify in place).
  func unlearn(_ context: UnlearningContext) throws -> UnlearningResult
  /// True when `unlearn` with these options returns M_retrain by construction: the same
  /// initialisation, retained data, data order and steps as the reference, bit for bit. The
  /// experiment pipeline then reuses the reference model and its training time instead of
  /// training it again.
  func reproducesRetraining(options: MethodOptions) -> Bool
}

extension UnlearningMethod {
  /// Default: nothing to prepare.
  public func prepare(options: MethodOptions) throws -> TrainingObserver? { nil }
  /// Default: the method's result is its own.
  public func reproducesRetraining(options: MethodOptions) -> Bool { false }
}

/// What `lethe methods` prints about a method.
public struct MethodDescriptor: Sendable, Equatable, Codable {
  /// Where a method is implemented.
  public enum Origin: String, Sendable, Codable {
    /// Built into Lethe in Swift.
    case swift
    /// Defined in a Lua script with `lethe.method{...}`.
    case lua
  }

  /// The registered name (`neggrad+`).
  public var name: String
  /// One line saying what the method does.
  public var summary: String
  /// The options with defaults and docs.
  public var options: [OptionSpec]
  /// Swift or Lua.
  public var origin: Origin
  /// For Lua methods, the script that defined it.
  public var source: String?

  /// A descriptor.
  public init(name: String, summary: String, options: [OptionSpec], origin: Origin = .swift,
    source: String? = nil)
  {
    self.name = name
    self.summary = summary
    self.options = options
    self.origin = origin
    self.source = source
  }
}
