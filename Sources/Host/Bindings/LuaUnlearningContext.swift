import Core
import Foundation
import Methods

/// What a Lua method's `unlearn(ctx)` receives: the Swift `UnlearningContext` plus a seeded
/// generator for the script's own draws.
public final class LuaUnlearningContext {
  /// The context (model, request, options, recipe, seed).
  public let context: UnlearningContext
  /// The method's name: whose artifacts `ctx:artifact` reads.
  public let method: String
  /// The generator behind `ctx:permutation` and `ctx:random_int`, seeded from the run's seed.
  var rng: RandomGenerator

  /// Wraps `context` for the method called `method`.
  public init(_ context: UnlearningContext, method: String) {
    self.context = context
    self.method = method
    rng = RandomGenerator(seed: context.seed ^ 0x1AB1_E5C0)
  }
}

/// The Lua class of `ctx`.
public let unlearningContextClass = LuaClass<LuaUnlearningContext>(
  name: "lethe.UnlearningContext",
  doc: "What a Lua method's unlearn(ctx) gets: ctx.model, ctx.forget, ctx.retained (1-based positions), "
    + "ctx.options, ctx.class_count, ctx.seed, ctx.recipe, and ctx:train/labels/accuracy/permutation/random_int.")

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
