import CLua
import Core

/// The Lua class of tensors: userdata over Core's autograd `Variable`.
public let tensorClass = LuaClass<Variable>(
  name: "lethe.Tensor", doc: "A Float32 tensor in the autograd graph (Core's Variable).")

extension LuaCall {
  /// Argument `i` as a tensor.
  public func tensor(_ i: Int32) throws -> Variable { try object(i, tensorClass) }

  /// Argument `i` as a tensor, or a number broadcast as a scalar tensor.
  public func tensorOrNumber(_ i: Int32) throws -> Variable {
    if lua_type(L, i) == LUA_TNUMBER { return Variable(Tensor(scalar: Float(try number(i)))) }
    if let t = LuaObjects.test(L, i, tensorClass) { return t }
    throw typeError(i, expected: tensorClass.name)
  }

  /// Pushes a tensor, and tells Lua's collector how much memory it keeps alive: its value and,
  /// for a result of recorded operations, every value of its autograd graph. Lua sees only a
  /// pointer-sized userdata, so without this debt a loop would pile up the graphs of many steps
  /// (gigabytes for a CNN) before a collection frees them.
  public func push(_ v: Variable) {
    push(v, tensorClass)
    let kb = v.bytesKeptAlive / 1024
    if kb > 0 { _ = clua_gc_step(L, Int32(min(kb, Int(Int32.max)))) }
  }

  /// Pushes a plain tensor value (outside the graph).
  public func push(_ t: Tensor) { push(Variable(t)) }

  /// A Lua dimension (1-based; negative counts from the end) at `i` as Core's 0-based axis.
  public func dim(_ i: Int32, rank: Int) throws -> Int {
    try LuaCall.axis(try integer(i), rank: rank, argument: i)
  }

  /// A Lua dimension at `i`, or `value` (a Core axis) when absent.
  public func dim(_ i: Int32, rank: Int, default value: Int) throws -> Int {
    isNil(i) ? value : try dim(i, rank: rank)
  }

  /// Converts Lua dimension `d` (1...rank or -rank...-1) to a 0-based axis.
  static func axis(_ d: Int, rank: Int, argument: Int32) throws -> Int {
    let r = Swift.max(rank, 1)
    if d >= 1 && d <= r { return d - 1 }
    if d <= -1 && d >= -r { return r + d }
    throw LuaError.argument(
      index: argument, message: "dimension \(d) out of range for a tensor of rank \(rank)")
  }

  /// Class labels at `i`: a table of integers or a tensor of whole numbers (0-based class ids).
  public func labels(_ i: Int32) throws -> [Int] {
    if let t = LuaObjects.test(L, i, tensorClass) {
      return try t.value.storage.enumerated().map { k, x in
        guard let label = Int(exactly: x) else {
          throw LuaError.argument(index: i, message: "whole-number labels expected, got \(x) at position \(k + 1)")
        }
        return label
      }
    }
    guard lua_type(L, i) == LUA_TTABLE else { throw typeError(i, expected: "table of labels") }
    return try integers(i)
  }

  /// A nested Lua table of numbers at `i` as (values, shape); ragged nesting throws.
  func nestedNumbers(_ i: Int32) throws -> ([Float], [Int]) {
    try table(i)
    var shape = [Int]()
    // Walk the first elements to find the shape.
    let base = lua_absindex(L, i)
    let top = lua_gettop(L)
    lua_pushvalue(L, base)
    while lua_type(L, -1) == LUA_TTABLE {
      let n = Int(lua_rawlen(L, -1))
      shape.append(n)
      if n == 0 { break }
      lua_rawgeti(L, -1, 1)
    }
    lua_settop(L, top)
    var values = [Float]()
    values.reserveCapacity(shape.reduce(1, *))
    try collect(base, level: 0, shape: shape, into: &values, argument: i)
    return (values, shape)
  }

  private func collect(
    _ t: Int32, level: Int, shape: [Int], into values: inout [Float], argument: Int32
  ) throws {
    let n = Int(lua_rawlen(L, t))
    guard n == shape[level] else {
      throw LuaError.argument(
        index: argument,
        message: "ragged table: expected \(shape[level]) elements at depth \(level + 1), got \(n)")
    }
    for k in stride(from: 1, through: n, by: 1) {
      lua_rawgeti(L, t, lua_Integer(k))
      defer { clua_pop(L, 1) }
      if level + 1 < shape.count {
        guard lua_type(L, -1) == LUA_TTABLE else {
          throw LuaError.argument(
            index: argument, message: "ragged table: expected a table at depth \(level + 2)")
        }
        try collect(lua_gettop(L), level: level + 1, shape: shape, into: &values, argument: argument)
      } else {
        var ok: Int32 = 0
        let v = lua_tonumberx(L, -1, &ok)
        guard ok != 0 else {
          throw LuaError.argument(
            index: argument, message: "number expected in table, got \(typeName(-1))")
        }
        values.append(Float(v))
      }
    }
  }
}
