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
          call.setField("default") { pushOption(call, o.defaultValue) }
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
      "The Lua method scripts found on the methods path ($LETHE_METHODS, then scripts/lua/methods).") { call in
      call.push(MethodsPath.files())
      return 1
    }
    r.function("methods", "define",
      "define(name, summary, options, unlearn [, source [, prepare]]) -> name",
      "Registers a Lua method (what lethe.method{...} calls); options is {{name, default, doc}, ...}.") { call in
      try define(call)
    }
    r.function("methods", "_state_closing", "_state_closing()",
      "Internal: called when the Lua state closes; its Lua methods then fail with a clear message.") { call in
      LuaStateHandles.close(call.L)
      return 0
    }
    registerContext(into: &r)
    r.prelude("methods", prelude)
  }

  static func pushOption(_ call: LuaCall, _ v: OptionValue) {
    switch v {
    case .number(let d): if d.rounded() == d && abs(d) < 9e15 { call.push(Int(d)) } else { call.push(d) }
    case .string(let s): call.push(s)
    case .bool(let b): call.push(b)
    }
  }

  /// `lethe.methods.define`: builds a `ScriptedMethod` whose `unlearn` calls the Lua function.
  static func define(_ call: LuaCall) throws -> Int32 {
    let L = call.L
    let name = try call.string(1)
    guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "," || $0 == "|" }) else {
      throw LuaError.argument(index: 1, message: "a method name without spaces, commas or bars expected")
    }
    let summary = try call.string(2, default: "") ?? ""
    var specs: [OptionSpec] = []
    if !call.isNil(3) {
      try call.table(3)
      for k in 1...max(1, Int(lua_rawlen(L, 3))) where lua_rawlen(L, 3) > 0 {
        lua_rawgeti(L, 3, lua_Integer(k))
        defer { clua_pop(L, 1) }
        let o = lua_gettop(L)
        guard lua_type(L, o) == LUA_TTABLE else {
          throw LuaError.argument(index: 3, message: "option \(k): a table {name, default, doc} expected")
        }
        lua_rawgeti(L, o, 1)
        lua_rawgeti(L, o, 2)
        lua_rawgeti(L, o, 3)
        defer { clua_pop(L, 3) }
        guard lua_type(L, -3) == LUA_TSTRING else {
          throw LuaError.argument(index: 3, message: "option \(k): its name (a string) comes first")
        }
        let optionName = String(cString: clua_tostring(L, -3))
        let doc = lua_type(L, -1) == LUA_TSTRING ? String(cString: clua_tostring(L, -1)) : ""
        let spec: OptionSpec
        switch lua_type(L, -2) {
        case LUA_TNUMBER:
          let kind: OptionSpec.Kind = lua_isinteger(L, -2) != 0 ? .integer : .number
          spec = OptionSpec(optionName, kind, default: .number(lua_tonumberx(L, -2, nil)), doc: doc)
        case LUA_TSTRING:
          spec = OptionSpec(optionName, .string, default: .string(String(cString: clua_tostring(L, -2))), doc: doc)
        case LUA_TBOOLEAN:
          spec = OptionSpec(optionName, .bool, default: .bool(lua_toboolean(L, -2) != 0), doc: doc)
        default:
          throw LuaError.argument(
            index: 3, message: "option '\(optionName)': a number, string or boolean default expected")
        }
        specs.append(spec)
      }
    }
    guard lua_type(L, 4) == LUA_TFUNCTION else { throw call.typeError(4, expected: "function") }
    let source = try call.string(5, default: nil)
    guard call.isNil(6) || lua_type(L, 6) == LUA_TFUNCTION else { throw call.typeError(6, expected: "function") }

    // The function stays in the registry until the state closes; the handle tells us when.
    lua_pushvalue(L, 4)
    let ref = luaL_ref(L, CLUA_REGISTRYINDEX)
    let handle = LuaStateHandles.handle(for: L)

    var prepare: ((MethodOptions) throws -> TrainingObserver?)? = nil
    if !call.isNil(6) {
      lua_pushvalue(L, 6)
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

  static let prelude = #"""
    local lethe = ...

    -- Collected when the state closes: Lua methods of this state then fail cleanly.
    local closing = lethe.methods._state_closing
    debug.getregistry()["lethe.methods.anchor"] = setmetatable({}, {__gc = function() closing() end})

    --- Defines an unlearning method in Lua and registers it beside the built-in ones.
    function lethe.method(spec)
      if type(spec) ~= "table" then
        error("lethe.method expects a table {name = ..., unlearn = function(ctx) ... end}", 2)
      end
      if type(spec.name) ~= "string" then error("lethe.method: 'name' (a string) is required", 2) end
      if type(spec.unlearn) ~= "function" then
        error("lethe.method '" .. spec.name .. "': 'unlearn' (a function of ctx) is required", 2)
      end
      if spec.prepare ~= nil and type(spec.prepare) ~= "function" then
        error("lethe.method '" .. spec.name .. "': 'prepare' must be a function of the options", 2)
      end
      local options = {}
      for i, o in ipairs(spec.options or {}) do
        if type(o) ~= "table" then error("lethe.method '" .. spec.name .. "': option " .. i .. " is not a table", 2) end
        local default = o[2]
        if default == nil then default = o.default end
        options[i] = {o[1] or o.name, default, o[3] or o.doc or ""}
      end
      local source = debug.getinfo(2, "S").short_src
      return lethe.methods.define(spec.name, spec.summary or "", options, spec.unlearn, source, spec.prepare)
    end
    lethe.document(lethe.method, "lethe.method",
      "method{name, summary, options = {{name, default, doc}, ...}, prepare = function(opts) ... end, "
        .. "unlearn = function(ctx) ... end} -> name",
      "Defines an unlearning method in Lua; schedules, reports and `lethe methods` treat it like a built-in. "
        .. "prepare(opts) may return hooks {change, loss, start, step, epoch} that watch or change M0's "
        .. "training; what they return is read back in unlearn with ctx:artifact(name).")

    -- Method scripts on the methods path register themselves; a broken one is reported, not fatal.
    for _, file in ipairs(lethe.methods.path()) do
      local ok, err = pcall(dofile, file)
      if not ok then
        io.stderr:write("lethe: could not load method script " .. file .. ": " .. tostring(err) .. "\n")
      end
    end
    """#
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
