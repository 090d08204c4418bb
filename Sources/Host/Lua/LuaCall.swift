import CLua
import Foundation

/// The arguments and results of one call from Lua into a binding.
///
/// Readers throw `LuaError.argument` with Lua's own wording (`number expected, got nil`); they
/// never raise a Lua error themselves. Positions are Lua's (1-based).
public struct LuaCall {
  /// The Lua state; valid only during the call.
  public let L: OpaquePointer

  /// The number of arguments.
  public var count: Int32 { lua_gettop(L) }

  /// Whether argument `i` is absent or nil.
  public func isNil(_ i: Int32) -> Bool { clua_isnoneornil(L, i) != 0 }

  /// Lua's type code of argument `i` (`LUA_TNUMBER`, ...).
  public func type(_ i: Int32) -> Int32 { lua_type(L, i) }

  /// The name Lua gives the type of the value at `i`, honouring `__name` as `luaL_typeerror` does.
  public func typeName(_ i: Int32) -> String {
    let t = luaL_getmetafield(L, i, "__name")
    if t != LUA_TNIL {
      defer { clua_pop(L, 1) }
      if t == LUA_TSTRING, let s = clua_tostring(L, -1) { return String(cString: s) }
    }
    if lua_type(L, i) == LUA_TLIGHTUSERDATA { return "light userdata" }
    if lua_type(L, i) == LUA_TNONE { return "no value" }
    return String(cString: clua_typename_at(L, i))
  }

  /// The standard type error for argument `i`.
  public func typeError(_ i: Int32, expected: String) -> LuaError {
    .argument(index: i, message: "\(expected) expected, got \(typeName(i))")
  }

  /// Argument `i` as a number.
  public func number(_ i: Int32) throws -> Double {
    var ok: Int32 = 0
    let v = lua_tonumberx(L, i, &ok)
    guard ok != 0 else { throw typeError(i, expected: "number") }
    return v
  }

  /// Argument `i` as a number, or `value` when absent or nil.
  public func number(_ i: Int32, default value: Double) throws -> Double {
    isNil(i) ? value : try number(i)
  }

  /// Argument `i` as a Float.
  public func float(_ i: Int32) throws -> Float { Float(try number(i)) }

  /// Argument `i` as a Float, or `value` when absent or nil.
  public func float(_ i: Int32, default value: Float) throws -> Float {
    isNil(i) ? value : Float(try number(i))
  }

  /// Argument `i` as an integer.
  public func integer(_ i: Int32) throws -> Int {
    var ok: Int32 = 0
    let v = lua_tointegerx(L, i, &ok)
    guard ok != 0 else {
      if lua_type(L, i) == LUA_TNUMBER || lua_type(L, i) == LUA_TSTRING, lua_isnumber(L, i) != 0 {
        throw LuaError.argument(index: i, message: "number has no integer representation")
      }
      throw typeError(i, expected: "number")
    }
    return Int(v)
  }

  /// Argument `i` as an integer, or `value` when absent or nil.
  public func integer(_ i: Int32, default value: Int) throws -> Int {
    isNil(i) ? value : try integer(i)
  }

  /// Argument `i` as a string (numbers are not converted, unlike luaL_checkstring).
  public func string(_ i: Int32) throws -> String {
    guard lua_type(L, i) == LUA_TSTRING, let s = clua_tostring(L, i) else {
      throw typeError(i, expected: "string")
    }
    return String(cString: s)
  }

  /// Argument `i` as a string, or `value` when absent or nil.
  public func string(_ i: Int32, default value: String?) throws -> String? {
    isNil(i) ? value : try string(i)
  }

  /// Argument `i` as a boolean (absent or nil gives `value`; other values must be booleans).
  public func boolean(_ i: Int32, default value: Bool) throws -> Bool {
    if isNil(i) { return value }
    guard lua_type(L, i) == LUA_TBOOLEAN else { throw typeError(i, expected: "boolean") }
    return lua_toboolean(L, i) != 0
  }

  /// Argument `i` as a Swift object of `cls`.
  @inline(__always)
  public func object<T>(_ i: Int32, _ cls: LuaClass<T>) throws -> T {
    if let object = LuaObjects.test(L, i, cls) { return object }
    if LuaObjects.isReleased(L, i, cls) {
      throw LuaError.argument(index: i, message: "\(cls.name) already released by __gc")
    }
    if lua_type(L, i) == LUA_TUSERDATA, LuaObjects.hasMetatable(L, i, key: cls.key) {
      throw LuaError.argument(index: i, message: "\(cls.name) expected, got userdata with its metatable")
    }
    throw typeError(i, expected: cls.name)
  }

  /// Argument `i` as an object of `cls`, or nil when absent or nil.
  public func object<T>(_ i: Int32, _ cls: LuaClass<T>, optional: Bool) throws -> T? {
    isNil(i) ? nil : try object(i, cls)
  }

  /// Requires argument `i` to be a table.
  public func table(_ i: Int32) throws {
    guard lua_type(L, i) == LUA_TTABLE else { throw typeError(i, expected: "table") }
  }

  /// Argument `i` as a list of integers: a table `{2, 3}` (raw access, positions 1...#t).
  public func integers(_ i: Int32) throws -> [Int] {
    try list(i, of: "integer") { ok in Int(lua_tointegerx(L, -1, &ok)) }
  }

  /// Argument `i` as a list of numbers: a table `{0.5, 2}` (raw access, positions 1...#t).
  public func numbers(_ i: Int32) throws -> [Double] {
    try list(i, of: "number") { ok in lua_tonumberx(L, -1, &ok) }
  }

  /// The entries 1...#t of the table at `i`, each converted by `read` from the top of the stack
  /// (which sets its flag to 0 when the entry is no `kind`).
  private func list<T>(_ i: Int32, of kind: String, _ read: (inout Int32) -> T) throws -> [T] {
    try table(i)
    let t = lua_absindex(L, i)
    let n = lua_rawlen(L, t)
    var out = [T]()
    out.reserveCapacity(Int(n))
    for k in 0..<n {
      lua_rawgeti(L, t, lua_Integer(k + 1))
      var ok: Int32 = 0
      let v = read(&ok)
      clua_pop(L, 1)
      guard ok != 0 else {
        throw LuaError.argument(index: i, message: "\(kind) expected at position \(k + 1)")
      }
      out.append(v)
    }
    return out
  }

  /// Integers from argument `i` on: either one table `{2, 3}` or the numbers `2, 3` themselves.
  public func shape(from i: Int32) throws -> [Int] {
    if lua_type(L, i) == LUA_TTABLE { return try integers(i) }
    var out = [Int]()
    var k = i
    while k <= count {
      out.append(try integer(k))
      k += 1
    }
    return out
  }

  /// The value of field `key` of the table at `i` (raw access), pushed; returns its Lua type.
  /// The caller pops it.
  @discardableResult
  public func pushField(_ i: Int32, _ key: String) -> Int32 {
    let t = lua_absindex(L, i)
    guard lua_type(L, t) == LUA_TTABLE else {
      lua_pushnil(L)
      return LUA_TNIL
    }
    lua_pushstring(L, key)
    return lua_rawget(L, t)
  }

  /// An optional field of the options table at `i`, read by `read` from the top of the stack.
  /// Errors name the field: `bad argument #1 to 'cnn' (field 'classes': number expected, got string)`.
  public func field<V>(_ i: Int32, _ key: String, _ read: (Int32) throws -> V) throws -> V? {
    guard lua_type(L, i) == LUA_TTABLE else { return nil }
    let t = pushField(i, key)
    defer { clua_pop(L, 1) }
    if t == LUA_TNIL { return nil }
    do {
      return try read(lua_gettop(L))
    } catch LuaError.argument(_, let message) {
      throw LuaError.argument(index: i, message: "field '\(key)': \(message)")
    }
  }

  /// For a custom `__index`: pushes the method named by the string key at `i` from the methods
  /// table (the closure's second upvalue); returns false, pushing nothing, when `i` is no string.
  public func pushMethod(key i: Int32) -> Bool {
    guard lua_type(L, i) == LUA_TSTRING, lua_type(L, clua_upvalueindex(2)) == LUA_TTABLE else { return false }
    lua_pushvalue(L, i)
    lua_rawget(L, clua_upvalueindex(2))
    return true
  }

  /// Where the Lua function that called this binding was defined: the script's path, in full
  /// and standardised, for a file chunk; the chunk's name otherwise (`stdin` in the REPL); nil
  /// when a C function or nothing called it.
  public func callerSource() -> String? {
    var ar = lua_Debug()
    guard lua_getstack(L, 1, &ar) != 0, lua_getinfo(L, "S", &ar) != 0, let raw = ar.source else { return nil }
    let source = String(cString: raw)
    if source.hasPrefix("@") {
      let path = String(source.dropFirst())
      let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
      return (full as NSString).standardizingPath
    }
    let short = withUnsafeBytes(of: ar.short_src) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return short == "[C]" ? nil : short
  }

  // MARK: Results

  /// Pushes nil.
  public func pushNil() { lua_pushnil(L) }
  /// Pushes a number.
  public func push(_ v: Double) { lua_pushnumber(L, v) }
  /// Pushes a number.
  public func push(_ v: Float) { lua_pushnumber(L, Double(v)) }
  /// Pushes an integer.
  public func push(_ v: Int) { lua_pushinteger(L, lua_Integer(v)) }
  /// Pushes a boolean.
  public func push(_ v: Bool) { lua_pushboolean(L, v ? 1 : 0) }
  /// Pushes a string.
  public func push(_ v: String) { lua_pushstring(L, v) }
  /// Pushes a Swift object as userdata of `cls`.
  public func push<T>(_ object: T, _ cls: LuaClass<T>) { LuaObjects.push(L, object, cls) }
  /// Pushes a sequence `{a, b, ...}` of integers.
  public func push(_ values: [Int]) {
    lua_createtable(L, Int32(clamping: values.count), 0)
    for (k, v) in values.enumerated() {
      lua_pushinteger(L, lua_Integer(v))
      lua_rawseti(L, -2, lua_Integer(k + 1))
    }
  }
  /// Pushes a sequence of numbers.
  public func push(_ values: [Double]) {
    lua_createtable(L, Int32(clamping: values.count), 0)
    for (k, v) in values.enumerated() {
      lua_pushnumber(L, v)
      lua_rawseti(L, -2, lua_Integer(k + 1))
    }
  }
  /// Pushes a sequence of strings.
  public func push(_ values: [String]) {
    lua_createtable(L, Int32(clamping: values.count), 0)
    for (k, v) in values.enumerated() {
      lua_pushstring(L, v)
      lua_rawseti(L, -2, lua_Integer(k + 1))
    }
  }
  /// Sets field `key` of the table on the top of the stack to the value pushed by `push` (raw).
  public func setField(_ key: String, _ push: () -> Void) {
    lua_pushstring(L, key)
    push()
    lua_rawset(L, -3)
  }

  // MARK: Calling back into Lua

  /// Calls the function at `i` with the values pushed by `pushArgs` (`nargs` of them) in protected
  /// mode with a traceback handler; leaves `nresults` results on the stack. A Lua error becomes a
  /// thrown `LuaError.script`, which the trampoline re-raises unchanged.
  public func callFunction(at i: Int32, nargs: Int32, nresults: Int32, pushArgs: () -> Void) throws {
    // The handler, the function and its arguments (a Lua caller can pass a million).
    guard lua_checkstack(L, nargs + 2) != 0 else {
      throw BindingError("too many arguments (\(nargs)) to pass back to a Lua function")
    }
    let f = lua_absindex(L, i)
    lua_pushcclosure(L, clua_traceback, 0)
    let handler = lua_gettop(L)
    lua_pushvalue(L, f)
    pushArgs()
    let status = clua_pcall(L, nargs, nresults, handler)
    if status != LUA_OK {
      let message = clua_tostring(L, -1).map { String(cString: $0) } ?? "(error object)"
      clua_pop(L, 2)
      throw LuaError.script(message)
    }
    clua_remove(L, handler)
  }
}
