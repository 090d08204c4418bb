import CLua
import Core
import Experiments

/// The one reader of Lua tables. Every table-shaped argument goes through it:
///
/// - an options table (`fit{...}`, `optim.sgd(m, {...})`, `data.load(name, {...})`) becomes a typed
///   configuration (`read(_:_:base:options:)`): unknown names are errors listing the valid ones,
///   values of the wrong type are errors naming the option, defaults come from the configuration;
/// - a free-form tree (a schedule, a map) becomes a `ConfigValue` (`tree(_:_:path:)`);
/// - a list of option declarations (`lethe.method{options = {...}}`) becomes `OptionSpec`s.
///
/// Nesting deeper than `maximumDepth` and tables that contain themselves are refused before they
/// can exhaust a stack, and the Lua stack is checked (`lua_checkstack`) before each level.
enum LuaConfigReader {
  /// Tables nested deeper than this are refused.
  static let maximumDepth = 32

  // MARK: Options tables

  /// The options table at `i` (absent or nil: no options) applied to `base`, checked against
  /// `list`. Options holding host values (tables, functions, objects) are only type-checked: the
  /// binding reads them afterwards with `LuaCall.field`/`pushField`. Errors are Lua argument
  /// errors at `i`: `unknown option 'epoch'; valid options: epochs, batch_size, ...`,
  /// `field 'epochs': number expected, got string`, `field 'input' is required`.
  static func read<C: OptionConfigurable>(
    _ call: LuaCall, _ i: Int32, base: C = C(), options list: [Option<C>] = C.options
  ) throws -> C {
    let L = call.L
    var given: [String: OptionValue] = [:]
    var present: Set<String> = []
    if !call.isNil(i) {
      guard lua_type(L, i) == LUA_TTABLE else { throw call.typeError(i, expected: "table") }
      let t = lua_absindex(L, i)
      try reserveStack(L, 4)
      let top = lua_gettop(L)
      defer { lua_settop(L, top) }
      lua_pushnil(L)
      while lua_next(L, t) != 0 {
        // Key at -2, value at -1; never call lua_tostring on a numeric key during traversal.
        guard lua_type(L, -2) == LUA_TSTRING else {
          throw LuaError.argument(
            index: i,
            message: "options are named, found a \(call.typeName(-2)) key; valid options: "
              + list.map(\.name).joined(separator: ", "))
        }
        let name = String(cString: clua_tostring(L, -2))
        guard let option = list.first(where: { $0.name == name }) else {
          throw LuaError.argument(
            index: i, message: OptionError.unknown(owner: C.optionOwner, option: name, valid: list.map(\.name)).message)
        }
        present.insert(name)
        do {
          if let value = try value(call, at: lua_gettop(L), kind: option.kind) { given[name] = value }
        } catch LuaError.argument(_, let message) {
          throw LuaError.argument(index: i, message: "field '\(name)': \(message)")
        }
        clua_pop(L, 1)
      }
    }
    if let absent = list.first(where: { $0.isRequired && $0.kind.isHostValue && !present.contains($0.name) }) {
      throw LuaError.argument(index: i, message: "field '\(absent.name)' is required")
    }
    do {
      return try C(options: given, base: base, options: list)
    } catch let error as OptionError {
      throw LuaError.argument(index: i, message: message(error))
    }
  }

  /// One option of the table at `i` applied to `base`, the table's other fields ignored: for a
  /// field that decides which options the rest of the table has (a schedule's `kind`).
  static func peek<C: OptionConfigurable>(_ call: LuaCall, _ i: Int32, _ option: Option<C>, base: C = C()) throws
    -> C
  {
    var given: [String: OptionValue] = [:]
    let found = try call.field(i, option.name) { try value(call, at: $0, kind: option.kind) }
    if let found, let v = found { given[option.name] = v }
    do {
      return try C(options: given, base: base, options: [option])
    } catch let error as OptionError {
      throw LuaError.argument(index: i, message: message(error))
    }
  }

  /// The value at stack index `v` as an option of `kind`, or nil for a host value of the right type.
  private static func value(_ call: LuaCall, at v: Int32, kind: OptionSpec.Kind) throws -> OptionValue? {
    let L = call.L
    switch kind {
    case .number: return .number(try call.number(v))
    case .integer: return .number(Double(try call.integer(v)))
    case .string: return .string(try call.string(v))
    case .bool:
      guard lua_type(L, v) == LUA_TBOOLEAN else { throw call.typeError(v, expected: "boolean") }
      return .bool(lua_toboolean(L, v) != 0)
    case .integers:
      if lua_type(L, v) == LUA_TNUMBER { return .list([.number(Double(try call.integer(v)))]) }
      guard lua_type(L, v) == LUA_TTABLE else { throw call.typeError(v, expected: "integer or list of integers") }
      return .list(try call.integers(v).map { .number(Double($0)) })
    case .table:
      guard lua_type(L, v) == LUA_TTABLE else { throw call.typeError(v, expected: "table") }
      return nil
    case .function:
      guard lua_type(L, v) == LUA_TFUNCTION else { throw call.typeError(v, expected: "function") }
      return nil
    case .object:
      guard lua_type(L, v) == LUA_TUSERDATA else { throw call.typeError(v, expected: "object") }
      return nil
    }
  }

  /// How an option error reads inside "bad argument #i to 'f' (...)".
  private static func message(_ error: OptionError) -> String {
    switch error {
    case .unknown: return error.message
    case .invalid(_, let option, let message): return "field '\(option)': \(message)"
    case .missing(_, let option): return "field '\(option)' is required"
    }
  }

  // MARK: Free-form trees

  /// The value at stack index `i` as a `ConfigValue` tree; `path` names it in errors
  /// (`schedule.methods[2]`). Sequences become lists; tables with other keys become tables
  /// (positional entries keep their position as the key "1", "2", ...).
  static func tree(_ L: OpaquePointer, _ i: Int32, path: String = "schedule") throws -> ConfigValue {
    var open: Set<UnsafeRawPointer> = []
    return try tree(L, lua_absindex(L, i), path: path, depth: 0, open: &open)
  }

  private static func tree(
    _ L: OpaquePointer, _ t: Int32, path: String, depth: Int, open: inout Set<UnsafeRawPointer>
  ) throws -> ConfigValue {
    switch lua_type(L, t) {
    case LUA_TNUMBER:
      return .number(lua_tonumberx(L, t, nil))
    case LUA_TSTRING:
      return .string(String(cString: clua_tostring(L, t)))
    case LUA_TBOOLEAN:
      return .bool(lua_toboolean(L, t) != 0)
    case LUA_TTABLE:
      guard depth < maximumDepth else {
        throw BindingError("\(path): tables nested more than \(maximumDepth) deep")
      }
      guard let id = lua_topointer(L, t), open.insert(id).inserted else {
        throw BindingError("\(path): a table that contains itself")
      }
      defer { open.remove(id) }
      try reserveStack(L, 3)
      let top = lua_gettop(L)
      defer { lua_settop(L, top) }
      var named: [String: ConfigValue] = [:]
      var positional: [Int: ConfigValue] = [:]
      lua_pushnil(L)
      while lua_next(L, t) != 0 {
        // Key at -2, value at -1; never call lua_tostring on a numeric key during traversal.
        let v = lua_gettop(L)
        if lua_type(L, -2) == LUA_TSTRING {
          let key = String(cString: clua_tostring(L, -2))
          named[key] = try tree(L, v, path: "\(path).\(key)", depth: depth + 1, open: &open)
        } else if lua_isinteger(L, -2) != 0 {
          let k = Int(lua_tointegerx(L, -2, nil))
          positional[k] = try tree(L, v, path: "\(path)[\(k)]", depth: depth + 1, open: &open)
        } else {
          throw BindingError("\(path): keys must be strings or positions")
        }
        clua_pop(L, 1)
      }
      let sequence = (0..<positional.count).compactMap { positional[$0 + 1] }
      if named.isEmpty && sequence.count == positional.count { return .list(sequence) }
      for (k, v) in positional { named[String(k)] = v }
      return .table(named)
    default:
      throw BindingError("\(path): a \(String(cString: lua_typename(L, lua_type(L, t)))) cannot be part of it")
    }
  }

  // MARK: Nested numbers

  /// A nested table of numbers at `i` (`{{1, 2}, {3, 4}}`) as (values, shape): the first
  /// elements give the shape, ragged nesting throws, and nesting deeper than `maximumDepth` (a
  /// table that contains itself included) is refused.
  static func nestedNumbers(_ call: LuaCall, _ i: Int32) throws -> ([Float], [Int]) {
    let L = call.L
    try call.table(i)
    let base = lua_absindex(L, i)
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    var shape = [Int]()
    try reserveStack(L, 1)
    lua_pushvalue(L, base)
    while lua_type(L, -1) == LUA_TTABLE {
      guard shape.count < maximumDepth else {
        throw LuaError.argument(index: i, message: "tables nested more than \(maximumDepth) deep")
      }
      let n = Int(lua_rawlen(L, -1))
      shape.append(n)
      if n == 0 { break }
      try reserveStack(L, 1)
      lua_rawgeti(L, -1, 1)
    }
    lua_settop(L, top)
    var values = [Float]()
    // The first elements give the shape; one row table shared by many entries makes a large shape
    // from a small table, so the size is checked before the reservation.
    do {
      try Tensor.validate(shape: shape)
    } catch let error as TensorError {
      throw LuaError.argument(index: i, message: error.description)
    }
    values.reserveCapacity(Tensor.count(of: shape))
    try collect(call, base, level: 0, shape: shape, into: &values, argument: i)
    return (values, shape)
  }

  private static func collect(
    _ call: LuaCall, _ t: Int32, level: Int, shape: [Int], into values: inout [Float], argument: Int32
  ) throws {
    let L = call.L
    let n = Int(lua_rawlen(L, t))
    guard n == shape[level] else {
      throw LuaError.argument(
        index: argument, message: "ragged table: expected \(shape[level]) elements at depth \(level + 1), got \(n)")
    }
    try reserveStack(L, 2)
    for k in stride(from: 1, through: n, by: 1) {
      lua_rawgeti(L, t, lua_Integer(k))
      defer { clua_pop(L, 1) }
      if level + 1 < shape.count {
        guard lua_type(L, -1) == LUA_TTABLE else {
          throw LuaError.argument(index: argument, message: "ragged table: expected a table at depth \(level + 2)")
        }
        try collect(call, lua_gettop(L), level: level + 1, shape: shape, into: &values, argument: argument)
      } else {
        var ok: Int32 = 0
        let v = lua_tonumberx(L, -1, &ok)
        guard ok != 0 else {
          throw LuaError.argument(index: argument, message: "number expected in table, got \(call.typeName(-1))")
        }
        values.append(Float(v))
      }
    }
  }

  // MARK: Option declarations

  /// A list of option declarations `{{name, default, doc}, ...}` (or `{name = ..., default = ...,
  /// doc = ...}` entries) at `i`: the kind follows the default's Lua type (an integer literal
  /// declares an integer option). `owner` names the list in errors.
  static func optionSpecs(_ call: LuaCall, _ i: Int32, owner: String) throws -> [OptionSpec] {
    let L = call.L
    try call.table(i)
    let t = lua_absindex(L, i)
    try reserveStack(L, 4)
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    var specs: [OptionSpec] = []
    for k in 0..<Int(lua_rawlen(L, t)) {
      lua_settop(L, top)
      lua_rawgeti(L, t, lua_Integer(k + 1))
      let o = lua_gettop(L)
      guard lua_type(L, o) == LUA_TTABLE else {
        throw BindingError("\(owner): option \(k + 1) must be a table {name, default, doc}")
      }
      func push(_ position: lua_Integer, _ key: String) {
        if lua_rawgeti(L, o, position) == LUA_TNIL {
          clua_pop(L, 1)
          call.pushField(o, key)
        }
      }
      push(1, "name")
      push(2, "default")
      push(3, "doc")
      guard lua_type(L, -3) == LUA_TSTRING else {
        throw BindingError("\(owner): option \(k + 1) needs its name (a string) first")
      }
      let name = String(cString: clua_tostring(L, -3))
      guard lua_type(L, -1) == LUA_TNIL || lua_type(L, -1) == LUA_TSTRING else {
        throw BindingError("\(owner): option '\(name)': its doc must be a string")
      }
      let doc = lua_type(L, -1) == LUA_TSTRING ? String(cString: clua_tostring(L, -1)) : ""
      switch lua_type(L, -2) {
      case LUA_TNUMBER:
        let kind: OptionSpec.Kind = lua_isinteger(L, -2) != 0 ? .integer : .number
        specs.append(OptionSpec(name, kind, default: .number(lua_tonumberx(L, -2, nil)), doc: doc))
      case LUA_TSTRING:
        specs.append(OptionSpec(name, .string, default: .string(String(cString: clua_tostring(L, -2))), doc: doc))
      case LUA_TBOOLEAN:
        specs.append(OptionSpec(name, .bool, default: .bool(lua_toboolean(L, -2) != 0), doc: doc))
      default:
        throw BindingError("\(owner): option '\(name)': a number, string or boolean default expected")
      }
    }
    return specs
  }

  /// Makes room for `n` more values on the Lua stack, or throws.
  private static func reserveStack(_ L: OpaquePointer, _ n: Int32) throws {
    guard lua_checkstack(L, n) != 0 else { throw BindingError("the Lua stack is exhausted") }
  }
}
