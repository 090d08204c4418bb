import CLua
import Core
import Methods

/// A Lua method's `prepare`: the table of hooks its `prepare(options)` returned, adapted to
/// `TrainingObserver`. Hooks (all optional):
///
/// - `change` (string): how the method changes M0's training; when set, the method gets an M0 of
///   its own (see `TrainingObserver`), and `loss` may replace the batch loss.
/// - `loss(logits, labels, ce) -> Tensor`: the loss to minimise (labels are 0-based classes, `ce`
///   is the default cross-entropy).
/// - `start(model)`, `step(info, model)`, `epoch(e, model)`: called before training, after each
///   step (`info` = {epoch, step, indices (1-based), loss, lr, gradient}) and after each epoch
///   (1-based); each may return a table whose tensors are stored as the method's artifacts and
///   whose strings and numbers are stored as notes, both read back with `ctx:artifact(name)`.
final class LuaTrainingObserver: TrainingObserver {
  private let handle: LuaStateHandle
  private let method: String
  private let ref: lua_Integer
  /// `change` from the hooks table, read once.
  let trainingChange: String?

  /// Takes the hooks table on the top of `L`'s stack (popped) for `method`; checks its fields.
  init(L: OpaquePointer, handle: LuaStateHandle, method: String) throws {
    let t = lua_gettop(L)
    defer { lua_settop(L, t - 1) }
    let call = LuaCall(L: L)
    let hooks: PrepareHooks
    do {
      hooks = try LuaConfigReader.read(call, t, base: PrepareHooks())
    } catch LuaError.argument(_, let message) {
      throw Self.bad(method, message)
    }
    if let change = hooks.change, change.isEmpty { throw Self.bad(method, "'change' must be a non-empty string") }
    trainingChange = hooks.change
    if call.pushField(t, "loss") == LUA_TFUNCTION && trainingChange == nil {
      throw Self.bad(method, "a 'loss' hook changes training: say how in 'change' (it keys M0's cache)")
    }
    clua_pop(L, 1)
    lua_pushvalue(L, t)
    ref = lua_Integer(luaL_ref(L, CLUA_REGISTRYINDEX))
    self.handle = handle
    self.method = method
  }

  deinit {
    if let L = handle.state { luaL_unref(L, CLUA_REGISTRYINDEX, Int32(ref)) }
  }

  func configure(_ trainer: Trainer, learner: Learner) throws {
    guard try hasHook("loss") else { return }
    trainer.loss = { [self] logits, labels in
      let ce = try Functional.crossEntropy(logits, targets: labels)
      return try withHook("loss") { call, f in
        try call.callFunction(at: f, nargs: 3, nresults: 1) {
          call.push(logits)
          call.push(labels)
          call.push(ce)
        }
        guard let v = LuaObjects.test(call.L, -1, tensorClass) else {
          throw Self.bad(method, "hook 'loss' must return a tensor")
        }
        return v
      } ?? ce
    }
  }

  func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws {
    try callStoring("start", learner, &artifacts, nargs: 0) { _ in }
  }

  func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {
    try callStoring("step", learner, &artifacts, nargs: 1) { call in
      lua_createtable(call.L, 0, 6)
      call.setField("epoch") { call.push(step.epoch) }
      call.setField("step") { call.push(step.step + 1) }
      call.setField("indices") { call.push(step.indices.map { $0 + 1 }) }
      call.setField("loss") { call.push(step.loss) }
      call.setField("lr") { call.push(step.learningRate) }
      call.setField("gradient") { call.push(Tensor(shape: [step.gradient.count], storage: step.gradient)) }
    }
  }

  func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
    try callStoring("epoch", learner, &artifacts, nargs: 1) { call in call.push(epoch) }
  }

  // MARK: Calling the hooks

  private static func bad(_ method: String, _ message: String) -> MethodError {
    MethodError.failed(method: method, message: "prepare: \(message)")
  }

  private func hasHook(_ name: String) throws -> Bool {
    try withHook(name) { _, _ in true } ?? false
  }

  /// Runs `body` with the hook `name` on the stack (at `f`), or returns nil when it is absent.
  private func withHook<R>(_ name: String, _ body: (LuaCall, Int32) throws -> R) throws -> R? {
    guard let L = handle.state else {
      throw MethodError.failed(method: method, message: "the Lua state that defined it has been closed")
    }
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    lua_rawgeti(L, CLUA_REGISTRYINDEX, ref)
    let call = LuaCall(L: L)
    guard call.pushField(-1, name) == LUA_TFUNCTION else { return nil }
    return try body(call, lua_gettop(L))
  }

  /// Calls hook `name` with the `nargs` values `pushFirst` pushes followed by the model, and
  /// stores what it returns.
  private func callStoring(
    _ name: String, _ learner: Learner, _ artifacts: inout PreparedArtifacts, nargs: Int32,
    pushFirst: (LuaCall) -> Void
  ) throws {
    let method = self.method
    var stored = artifacts
    defer { artifacts = stored }
    _ = try withHook(name) { call, f in
      try call.callFunction(at: f, nargs: nargs + 1, nresults: 1) {
        pushFirst(call)
        if let m = learner.singleModule { call.push(m, moduleClass) } else { call.pushNil() }
      }
      try Self.store(call, method: method, hook: name, into: &stored)
    }
  }

  /// Stores the table on the top of the stack (nil: nothing) as artifacts of `method`.
  private static func store(_ call: LuaCall, method: String, hook: String, into artifacts: inout PreparedArtifacts)
    throws
  {
    let L = call.L
    let t = lua_gettop(L)
    switch lua_type(L, t) {
    case LUA_TNIL: return
    case LUA_TTABLE: break
    default: throw bad(method, "hook '\(hook)' must return nil or a table {name = tensor | string}")
    }
    lua_pushnil(L)
    while lua_next(L, t) != 0 {
      defer { clua_pop(L, 1) }
      // On a throw, `withHook` restores the stack.
      guard lua_type(L, -2) == LUA_TSTRING else {
        throw bad(method, "hook '\(hook)' returned a table whose keys are not all strings")
      }
      let key = String(cString: clua_tostring(L, -2))
      if let v = LuaObjects.test(L, -1, tensorClass) {
        artifacts.store(v.value.storage, method: method, name: key)
      } else if lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER {
        lua_pushvalue(L, -1)  // tostring on a copy, never on the traversal's value
        artifacts.notes[method, default: [:]][key] = String(cString: clua_tostring(L, -1))
        clua_pop(L, 1)
      } else {
        throw bad(method, "hook '\(hook)': value of '\(key)' must be a tensor, string or number")
      }
    }
  }
}
