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

  /// A Lua dimension at `i`, or the Lua dimension `value` when absent (checked alike, so that a
  /// default that does not fit the tensor is reported in Lua's numbering too).
  public func dim(_ i: Int32, rank: Int, default value: Int) throws -> Int {
    try LuaCall.axis(isNil(i) ? value : try integer(i), rank: rank, argument: i)
  }

  /// Converts Lua dimension `d` (1...rank or -rank...-1) to a 0-based axis.
  static func axis(_ d: Int, rank: Int, argument: Int32) throws -> Int {
    if d >= 1 && d <= rank { return d - 1 }
    if d <= -1 && d >= -rank { return rank + d }
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
}
