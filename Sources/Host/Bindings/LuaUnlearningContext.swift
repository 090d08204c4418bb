import Core
import Foundation
import Methods

/// What a Lua method's `unlearn(ctx)` receives: the Swift `UnlearningContext` plus a seeded
/// generator for the script's own draws and the views and models Lua asked for (made once).
public final class LuaUnlearningContext {
  /// The context (model, request, options, recipe, seed, models).
  public let context: UnlearningContext
  /// The method's name: whose artifacts `ctx:artifact` reads.
  public let method: String
  /// The generator behind `ctx:permutation` and `ctx:random_int`, seeded from the run's seed.
  var rng: RandomGenerator
  /// How many times `ctx:train` ran (each call's data order is seeded from the run's seed plus it).
  var trainCalls = 0
  private var views: [String: DatasetRef] = [:]
  private var teacher: Learner?
  private var initial: Learner?

  /// Wraps `context` for the method called `method`.
  public init(_ context: UnlearningContext, method: String) {
    self.context = context
    self.method = method
    rng = RandomGenerator(seed: context.seed ^ 0x1AB1_E5C0)
  }

  /// The run's data as dataset views sharing the training set's storage: `forget` (x*),
  /// `retained` (D \ x*), `validation` (the request's validation samples), `train` (D).
  func view(_ name: String) throws -> DatasetRef {
    if let v = views[name] { return v }
    let r = context.request
    let v: DatasetRef
    switch name {
    case "train": v = DatasetRef(r.train, name: "train")
    case "forget": v = DatasetRef(try DataView(base: r.train, indices: r.forget, name: "forget"), name: "forget")
    case "retained": v = DatasetRef(try DataView(base: r.train, indices: r.retained, name: "retained"), name: "retained")
    default: v = DatasetRef(try DataView(base: r.train, indices: r.validation, name: "validation"), name: "validation")
    }
    views[name] = v
    return v
  }

  /// The frozen copy of M0, made on first use.
  func teacherModel() throws -> Learner {
    if let t = teacher { return t }
    let t = try context.teacher()
    teacher = t
    return t
  }

  /// The model with M0's initial weights, made on first use.
  func initialModel() throws -> Learner {
    if let m = initial { return m }
    let m = try context.initialModel()
    initial = m
    return m
  }
}

/// The Lua class of `ctx`.
public let unlearningContextClass = LuaClass<LuaUnlearningContext>(
  name: "lethe.UnlearningContext",
  doc: "What a Lua method's unlearn(ctx) gets: ctx.model, ctx.data (forget, retained, train, validation views), "
    + "ctx.teacher, ctx.initial, ctx:fresh_model(), positions (ctx.forget, ctx.retained, ctx.validation), "
    + "ctx.options, ctx.recipe, ctx:train{...} and helpers.")

/// Keeps a Lua state's methods callable only while the state lives: the prelude gives every
/// state a table whose `__gc` (run by `lua_close`) calls `lethe.methods._state_closing`, which
/// marks the state's handle dead.
final class LuaStateHandle: @unchecked Sendable {
  // @unchecked: `state` is read and written on the thread that runs the state.
  var state: OpaquePointer?
  init(_ L: OpaquePointer) { state = L }
}

/// The live handle of each Lua state that defined methods.
enum LuaStateHandles {
  // nonisolated(unsafe): every access holds `lock`.
  nonisolated(unsafe) private static var handles: [OpaquePointer: LuaStateHandle] = [:]
  private static let lock = NSLock()

  /// The handle of `L`, created on first use.
  static func handle(for L: OpaquePointer) -> LuaStateHandle {
    lock.lock()
    defer { lock.unlock() }
    if let h = handles[L] { return h }
    let h = LuaStateHandle(L)
    handles[L] = h
    return h
  }

  /// Marks `L` closed: its methods fail cleanly from now on.
  static func close(_ L: OpaquePointer) {
    lock.lock()
    defer { lock.unlock() }
    handles.removeValue(forKey: L)?.state = nil
  }
}
