import CLua
import Foundation

/// A Lua 5.4 state with the standard libraries and the `lethe` API installed.
///
/// Not thread-safe: use one state from one thread at a time. `close()` (or deinit) closes the
/// state, which runs every `__gc` and so releases every Swift object Lua still held.
public final class LuaVM {
  /// The state; nil once closed.
  public private(set) var state: OpaquePointer?

  /// Settings bindings read: output sink, random generator, quietness.
  public let context: LuaContext

  /// The state, for code that runs while it is open.
  public var L: OpaquePointer { state! }

  /// A new state with the `lethe` API (also global `lethe`) and `arg` set to `arguments` when given.
  public init(
    scriptName: String? = nil, arguments: [String] = [], context: LuaContext = LuaContext()
  ) throws {
    guard let L = luaL_newstate() else { throw LuaError.script("cannot create a Lua state") }
    state = L
    self.context = context
    context.attach(to: L)
    clua_set_dispatcher(luaDispatcher)
    luaL_openlibs(L)
    // Precompiled chunks can crash the VM: scripts, load, loadfile, dofile, require take text only.
    clua_text_chunks_only(L)
    try install(LuaBindingTable.shared)
    if let scriptName {
      lua_createtable(L, Int32(arguments.count), 1)
      lua_pushstring(L, scriptName)
      lua_rawseti(L, -2, 0)
      for (k, a) in arguments.enumerated() {
        lua_pushstring(L, a)
        lua_rawseti(L, -2, lua_Integer(k + 1))
      }
      setGlobal("arg")
    }
  }

  deinit { close() }

  /// Closes the state (idempotent).
  public func close() {
    if let L = state {
      lua_close(L)
      state = nil
    }
  }

  /// Runs a full garbage collection.
  public func collectGarbage() { _ = clua_gc_collect(L) }

  // MARK: Running code

  /// Loads and runs `source` (chunk `name`), returning its results converted by `tostring`.
  @discardableResult
  public func run(_ source: String, name: String = "=(lethe)") throws -> [String] {
    try load(source, name: name)
    return try callTop(nargs: 0)
  }

  /// Loads and runs the file at `path`; a missing file or syntax error throws `LuaError.load`.
  public func runFile(_ path: String, arguments: [String] = []) throws {
    if clua_loadfile(L, path) != LUA_OK {
      let message = popString()
      if message.hasPrefix("attempt to load a binary chunk") {
        throw LuaError.load("\(path): a precompiled Lua chunk; Lethe runs Lua source text only")
      }
      throw LuaError.load(message)
    }
    for a in arguments { lua_pushstring(L, a) }
    _ = try callTop(nargs: Int32(arguments.count))
  }

  /// Loads `source` as a function on the top of the stack.
  func load(_ source: String, name: String) throws {
    let status = source.withCString { clua_loadbuffer(L, $0, strlen($0), name) }
    if status != LUA_OK { throw LuaError.load(popString()) }
  }

  /// Calls the function under `nargs` arguments on the top of the stack with a traceback handler;
  /// returns its results through `tostring`.
  func callTop(nargs: Int32) throws -> [String] {
    let base = lua_gettop(L) - nargs
    lua_pushcclosure(L, clua_traceback, 0)
    clua_insert(L, base)
    let status = clua_pcall(L, nargs, CLUA_MULTRET, base)
    if status != LUA_OK {
      let message = popString()
      clua_remove(L, base)
      throw LuaError.script(message)
    }
    var results = [String]()
    let top = lua_gettop(L)
    if top > base {
      for k in (base + 1)...top { results.append(describe(k)) }
    }
    lua_settop(L, base - 1)
    return results
  }

  /// Calls the function under `nargs` arguments on the top of the stack with `lua_pcall` and the
  /// traceback handler. On success leaves `nresults` results and returns nil; on failure pops
  /// the error and returns its message (with traceback).
  func protectedCall(nargs: Int32, nresults: Int32) -> String? {
    let base = lua_gettop(L) - nargs
    lua_pushcclosure(L, clua_traceback, 0)
    clua_insert(L, base)
    let status = clua_pcall(L, nargs, nresults, base)
    if status != LUA_OK {
      let message = popString()
      clua_remove(L, base)
      return message
    }
    clua_remove(L, base)
    return nil
  }

  /// `tostring(value at i)` through Lua's own `tostring` (protected: `__tostring` may fail).
  func describe(_ i: Int32) -> String {
    let index = lua_absindex(L, i)
    // The caller may hold up to a million results on the stack; room for 3 more is not a given.
    guard lua_checkstack(L, 3) != 0 else { return "(no room left on the Lua stack to print this value)" }
    pushGlobal("tostring")
    lua_pushvalue(L, index)
    if let message = protectedCall(nargs: 1, nresults: 1) {
      return "(error in __tostring: \(message))"
    }
    return popString()
  }

  /// Pushes global `name` with a raw access (a metatable on `_G` cannot raise into Swift).
  func pushGlobal(_ name: String) {
    clua_pushglobaltable(L)
    lua_pushstring(L, name)
    lua_rawget(L, -2)
    clua_remove(L, -2)
  }

  /// Sets global `name` to the value on the top of the stack (popped), with a raw access.
  func setGlobal(_ name: String) {
    clua_pushglobaltable(L)
    lua_pushstring(L, name)
    lua_pushvalue(L, -3)
    lua_rawset(L, -3)
    clua_pop(L, 2)
  }

  /// Pops the string on the top of the stack (any value prints as its type name).
  func popString() -> String {
    defer { clua_pop(L, 1) }
    if let s = clua_tostring(L, -1) { return String(cString: s) }
    return "(error object is a \(String(cString: clua_typename_at(L, -1))) value)"
  }
}
