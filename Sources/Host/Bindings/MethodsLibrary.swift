import CLua
import Core
import Methods

/// `lethe.methods` and `lethe.method{...}`: the registry of unlearning methods (Swift and Lua),
/// Lua methods defined in scripts, the methods path loaded at start-up, and the context class
/// Lua methods work with.
enum MethodsLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "methods", doc: "Unlearning methods: the registry shared by Swift and Lua methods.",
      example: "for _, m in ipairs(lethe.methods.list()) do print(m.name, m.summary) end")
    r.function("methods", "list", "list() -> {{name, summary, origin, source, options = {{name, kind, default, doc}}}}",
      "Every registered method (built-in Swift and Lua) with its options and defaults.") { call in
      let L = call.L
      let all = MethodRegistry.shared.descriptors
      lua_createtable(L, Int32(all.count), 0)
      for (k, d) in all.enumerated() {
        lua_createtable(L, 0, 5)
        call.setField("name") { call.push(d.name) }
        call.setField("summary") { call.push(d.summary) }
        call.setField("origin") { call.push(d.origin.rawValue) }
        if let s = d.source { call.setField("source") { call.push(s) } }
        lua_pushstring(L, "options")
        lua_createtable(L, Int32(d.options.count), 0)
        for (j, o) in d.options.enumerated() {
          lua_createtable(L, 0, 4)
          call.setField("name") { call.push(o.name) }
          call.setField("kind") { call.push(o.kind.rawValue) }
          if let d = o.defaultValue { call.setField("default") { pushOption(call, d) } }
          call.setField("doc") { call.push(o.doc) }
          lua_rawseti(L, -2, lua_Integer(j + 1))
        }
        lua_rawset(L, -3)
        lua_rawseti(L, -2, lua_Integer(k + 1))
      }
      return 1
    }
    r.function("methods", "listing", "listing() -> string",
      "What `lethe methods` prints: every method with its origin, summary, options and defaults.") { call in
      call.push(MethodRegistry.shared.listing())
      return 1
    }
    r.function("methods", "path", "path() -> {file, ...}",
      "The Lua method scripts on the methods path: --methods, then $LETHE_METHODS, then this installation's "
        + "scripts/lua/methods (never one found from the working directory).") { call in
      call.push(MethodsPath.files())
      return 1
    }
    r.function("methods", "_defined", "_defined() -> {name, ...}",
      "Internal: the names of the lethe.method definitions this Lua state has run, in order.") { call in
      call.push(call.context.definedMethods)
      return 1
    }
    r.function("", "method",
      "method{name, summary, options = {{name, default, doc}, ...}, prepare = function(opts) ... end, "
        + "unlearn = function(ctx) ... end} -> name",
      "Defines an unlearning method in Lua; schedules, reports and `lethe methods` treat it like a built-in "
        + "(a name already taken by a built-in or by another script is an error). "
        + "prepare(opts) may return hooks {change, loss, start, step, epoch} that watch or change M0's "
        + "training; what they return is read back in unlearn with ctx:artifact(name).") { call in
      try define(call)
    }
    r.function("methods", "_state_closing", "_state_closing()",
      "Internal: called when the Lua state closes; its Lua methods then fail with a clear message.") { call in
      LuaStateHandles.close(call.L)
      return 0
    }
    registerContext(into: &r)
    r.prelude("methods", PackageResources.methods_lua)
  }

  static func pushOption(_ call: LuaCall, _ v: OptionValue) {
    switch v {
    case .number(let d): if d.rounded() == d && abs(d) < 9e15 { call.push(Int(d)) } else { call.push(d) }
    case .string(let s): call.push(s)
    case .bool(let b): call.push(b)
    case .list(let items):
      lua_createtable(call.L, Int32(items.count), 0)
      for (k, item) in items.enumerated() {
        pushOption(call, item)
        lua_rawseti(call.L, -2, lua_Integer(k + 1))
      }
    }
  }

  /// `lethe.method{...}`: builds a `ScriptedMethod` whose `unlearn` calls the Lua function, and
  /// registers it with the defining script as its source.
  static func define(_ call: LuaCall) throws -> Int32 {
    let L = call.L
    guard call.type(1) == LUA_TTABLE else { throw call.typeError(1, expected: "table") }
    let definition = try LuaConfigReader.read(call, 1, base: MethodDefinition())
    let name = definition.name ?? ""
    guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "," || $0 == "|" }) else {
      throw LuaError.argument(index: 1, message: "field 'name': a method name without spaces, commas or bars expected")
    }
    let summary = definition.summary
    let specs = try call.field(1, "options") { try LuaConfigReader.optionSpecs(call, $0, owner: "lethe.method '\(name)'") } ?? []
    let source = call.callerSource()
    if let existing = try? MethodRegistry.shared.method(named: name) {
      let d = existing.descriptor
      // Only a redefinition from the same script (reloaded in the REPL, or the methods path seen by
      // a second Lua state) replaces a method; a built-in is never replaced.
      if d.origin == .swift {
        throw LuaError.argument(index: 1, message: "field 'name': '\(name)' is a built-in method; choose another name")
      }
      if d.source != source {
        throw LuaError.argument(
          index: 1, message: "field 'name': '\(name)' is already defined by \(d.source ?? "another script"); "
            + "choose another name")
      }
    }

    // The functions stay in the registry until the state closes; the handle tells us when.
    call.pushField(1, "unlearn")
    let ref = luaL_ref(L, CLUA_REGISTRYINDEX)
    let handle = LuaStateHandles.handle(for: L)

    var prepare: ((MethodOptions) throws -> TrainingObserver?)? = nil
    if call.pushField(1, "prepare") == LUA_TNIL {
      clua_pop(L, 1)
    } else {
      let prepareRef = luaL_ref(L, CLUA_REGISTRYINDEX)
      prepare = { options in try callPrepare(handle: handle, ref: prepareRef, method: name, options: options) }
    }

    let descriptor = MethodDescriptor(name: name, summary: summary, options: specs, origin: .lua, source: source)
    let method = ScriptedMethod(descriptor: descriptor, prepare: prepare) { context in
      guard let L = handle.state else {
        throw MethodError.failed(method: name, message: "the Lua state that defined it has been closed")
      }
      let call = LuaCall(L: L)
      let box = LuaUnlearningContext(context, method: name)
      let state = call.context
      let outer = state.runningMethod
      state.runningMethod = LuaContext.RunningMethod(name: name)
      defer { state.runningMethod = outer }
      lua_rawgeti(L, CLUA_REGISTRYINDEX, lua_Integer(ref))
      let f = lua_gettop(L)
      defer { lua_settop(L, f - 1) }
      try call.callFunction(at: f, nargs: 1, nresults: 1) { call.push(box, unlearningContextClass) }
      var notes: [String: String] = [:]
      if lua_type(L, -1) == LUA_TTABLE {
        let t = lua_gettop(L)
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
          if lua_type(L, -2) == LUA_TSTRING {
            let key = String(cString: clua_tostring(L, -2))
            lua_pushvalue(L, -1)  // tostring on a copy, never on the traversal's key
            notes[key] = clua_tostring(L, -1).map { String(cString: $0) } ?? "?"
            clua_pop(L, 1)
          }
          clua_pop(L, 1)
        }
      }
      return UnlearningResult(model: box.context.model, notes: notes)
    }
    try MethodRegistry.shared.register(method, replacing: true)
    call.context.definedMethods.append(name)
    call.push(name)
    return 1
  }

  /// Calls a Lua method's `prepare(options)`: nil means nothing to prepare, a table of hooks
  /// becomes a `LuaTrainingObserver`.
  static func callPrepare(handle: LuaStateHandle, ref: Int32, method: String, options: MethodOptions) throws
    -> TrainingObserver?
  {
    guard let L = handle.state else {
      throw MethodError.failed(method: method, message: "the Lua state that defined it has been closed")
    }
    let call = LuaCall(L: L)
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    lua_rawgeti(L, CLUA_REGISTRYINDEX, lua_Integer(ref))
    try call.callFunction(at: lua_gettop(L), nargs: 1, nresults: 1) {
      lua_createtable(L, 0, Int32(options.values.count))
      for (k, v) in options.values.sorted(by: { $0.key < $1.key }) { call.setField(k) { pushOption(call, v) } }
    }
    switch lua_type(L, -1) {
    case LUA_TNIL: return nil
    case LUA_TTABLE: return try LuaTrainingObserver(L: L, handle: handle, method: method)
    default:
      throw MethodError.failed(
        method: method, message: "prepare must return nil or a table of hooks {change, loss, start, step, epoch}")
    }
  }
}

extension MethodsLibrary {
  /// What `lethe methods` prints: a Lua state is started so that the methods path loads, then the
  /// shared registry (built-in and Lua methods) is listed.
  static func listingLines() -> [String] {
    var lines: [String] = []
    do {
      let vm = try LuaVM(scriptName: "lethe")
      defer { vm.close() }
      lines = MethodRegistry.shared.listing().split(separator: "\n", omittingEmptySubsequences: false)
        .map(String.init)
      if lines.last == "" { lines.removeLast() }
    } catch {
      lines = ["lethe: could not start Lua to load the method scripts: \(error)"]
        + MethodRegistry.shared.listing().split(separator: "\n").map(String.init)
    }
    return lines
  }
}
