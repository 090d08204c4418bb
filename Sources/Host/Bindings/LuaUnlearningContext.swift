import Core
import Methods

/// What a Lua method's `unlearn(ctx)` receives: the Swift `UnlearningContext` plus a seeded
/// generator for the script's own draws.
public final class LuaUnlearningContext {
  /// The context (model, request, options, recipe, seed).
  public let context: UnlearningContext
  /// The generator behind `ctx:permutation` and `ctx:random_int`, seeded from the run's seed.
  var rng: RandomGenerator

  /// Wraps `context`.
  public init(_ context: UnlearningContext) {
    self.context = context
    rng = RandomGenerator(seed: context.seed ^ 0x1AB1_E5C0)
  }
}

/// The Lua class of `ctx`.
public let unlearningContextClass = LuaClass<LuaUnlearningContext>(
  name: "lethe.UnlearningContext",
  doc: "What a Lua method's unlearn(ctx) gets: ctx.model, ctx.forget, ctx.retained (1-based positions), "
    + "ctx.options, ctx.class_count, ctx.seed, ctx.recipe, and ctx:train/labels/accuracy/permutation/random_int.")

/// Keeps a Lua state's methods callable only while the state lives: Lua owns the anchor (its
/// `__gc` runs at `lua_close`), and the anchor's `deinit` marks the state dead.
final class LuaStateHandle: @unchecked Sendable {
  // @unchecked: read and written on the thread that runs the state.
  var state: OpaquePointer?
  init(_ L: OpaquePointer) { state = L }
}

/// The Swift object a Lua state holds to know when it closes.
public final class LuaMethodAnchor {
  let handle: LuaStateHandle
  init(_ handle: LuaStateHandle) { self.handle = handle }
  deinit { handle.state = nil }
}

/// The Lua class of the anchor (internal; never seen by scripts).
public let methodAnchorClass = LuaClass<LuaMethodAnchor>(
  name: "lethe.MethodAnchor", doc: "Internal: marks the Lua state's methods dead when it closes.")
