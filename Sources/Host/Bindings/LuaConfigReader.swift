import CLua
import Experiments

/// Reads a Lua value (a schedule table) into a `ConfigValue` tree, so the experiment code needs no
/// Lua. Sequences become lists; tables with other keys become tables (positional entries keep
/// their position as the key "1", "2", ...).
enum LuaConfigReader {
  /// The value at stack index `i`; `path` names it in errors (`schedule.methods[2]`).
  static func read(_ L: OpaquePointer, _ i: Int32, path: String = "schedule", depth: Int = 0) throws -> ConfigValue {
    guard depth < 32 else { throw BindingError("\(path): tables nested too deeply") }
    let t = lua_absindex(L, i)
    switch lua_type(L, t) {
    case LUA_TNUMBER:
      return .number(lua_tonumberx(L, t, nil))
    case LUA_TSTRING:
      return .string(String(cString: clua_tostring(L, t)))
    case LUA_TBOOLEAN:
      return .bool(lua_toboolean(L, t) != 0)
    case LUA_TTABLE:
      var named: [String: ConfigValue] = [:]
      var positional: [Int: ConfigValue] = [:]
      lua_pushnil(L)
      while lua_next(L, t) != 0 {
        // Key at -2, value at -1; never call lua_tostring on a numeric key during traversal.
        if lua_type(L, -2) == LUA_TSTRING {
          let key = String(cString: clua_tostring(L, -2))
          named[key] = try read(L, -1, path: "\(path).\(key)", depth: depth + 1)
        } else if lua_isinteger(L, -2) != 0 {
          let k = Int(lua_tointegerx(L, -2, nil))
          positional[k] = try read(L, -1, path: "\(path)[\(k)]", depth: depth + 1)
        } else {
          clua_pop(L, 2)
          throw BindingError("\(path): keys must be strings or positions")
        }
        clua_pop(L, 1)
      }
      let sequence = (0..<positional.count).compactMap { positional[$0 + 1] }
      if named.isEmpty && sequence.count == positional.count { return .list(sequence) }
      for (k, v) in positional { named[String(k)] = v }
      return .table(named)
    default:
      throw BindingError("\(path): a \(String(cString: lua_typename(L, lua_type(L, t)))) cannot be part of a schedule")
    }
  }
}
