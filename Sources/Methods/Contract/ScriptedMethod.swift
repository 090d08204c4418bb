import Core

/// A method made of closures: how the Lua host registers a `lethe.method{...}` (its `prepare`
/// and `unlearn` functions wrapped as closures), and a quick way to define one in Swift.
public final class ScriptedMethod: UnlearningMethod {
  /// Name, summary, options; `origin` is `.lua` for script methods.
  public let descriptor: MethodDescriptor
  private let prepareBody: ((MethodOptions) throws -> TrainingObserver?)?
  private let unlearnBody: (UnlearningContext) throws -> UnlearningResult

  /// A method from closures; `prepare` may be nil (nothing to prepare).
  public init(
    descriptor: MethodDescriptor, prepare: ((MethodOptions) throws -> TrainingObserver?)? = nil,
    unlearn: @escaping (UnlearningContext) throws -> UnlearningResult
  ) {
    self.descriptor = descriptor
    self.prepareBody = prepare
    self.unlearnBody = unlearn
  }

  /// Calls the `prepare` closure, if any.
  public func prepare(options: MethodOptions) throws -> TrainingObserver? {
    try prepareBody?(options)
  }

  /// Calls the `unlearn` closure; its errors (a Lua error's message and traceback) propagate and
  /// the runner records the run as failed.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    try unlearnBody(context)
  }
}
