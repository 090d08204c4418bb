import CLua
import Core

/// The methods and metamethods of `lethe.Tensor`.
enum TensorMethods {
  static func register(into r: inout LuaRegistry) {
    registerInfo(into: &r)
    registerMath(into: &r)
    TensorSelectionMethods.register(into: &r)
    registerShape(into: &r)
    registerAutograd(into: &r)
    registerMetamethods(into: &r)
    registerNewIndex(into: &r)
  }

  private static func method(
    _ r: inout LuaRegistry, _ name: String, _ signature: String, _ doc: String,
    _ body: @escaping LuaBody
  ) {
    r.method(tensorClass, name, signature, doc, body)
  }

  static func registerInfo(into r: inout LuaRegistry) {
    method(&r, "shape", "t:shape() -> {d1, ...}", "The extents of the dimensions, as a table.") { call in
      call.push(try call.tensor(1).value.shape)
      return 1
    }
    method(&r, "size", "t:size([dim]) -> integer | {d1, ...}", "One extent (1-based dim), or the shape.") {
      call in
      let t = try call.tensor(1).value
      if call.isNil(2) {
        call.push(t.shape)
      } else {
        call.push(t.shape[try call.dim(2, rank: t.rank)])
      }
      return 1
    }
    method(&r, "dim", "t:dim() -> integer", "The number of dimensions.") { call in
      call.push(try call.tensor(1).value.rank)
      return 1
    }
    method(&r, "numel", "t:numel() -> integer", "The number of elements.") { call in
      call.push(try call.tensor(1).value.count)
      return 1
    }
    method(&r, "item", "t:item() -> number", "The value of a one-element tensor.") { call in
      let t = try call.tensor(1).value
      guard t.count == 1 else {
        throw LuaError.argument(
          index: 1,
          message:
            "one-element tensor expected, got shape {\(t.shape.map(String.init).joined(separator: ", "))}")
      }
      call.push(t.storage[0])
      return 1
    }
    method(&r, "totable", "t:totable() -> table", "The values as nested Lua tables (a number for rank 0).") {
      call in
      let t = try call.tensor(1).value
      // Each number takes a 16-byte slot, each nested table about 64 bytes: a {2^31, 0} tensor
      // holds no number but would make 2^31 empty tables.
      var tables = 1
      var row = 1
      for d in t.shape.dropLast() {
        row = row.multipliedReportingOverflow(by: d).overflow ? Int.max : row * d
        tables = tables.addingReportingOverflow(row).overflow ? Int.max : tables + row
      }
      let limit = MemoryLimit.current
      try limit.check(count: tables, elementBytes: 64, for: "\(tables) nested Lua tables")
      try limit.check(count: t.count, elementBytes: 16, for: "a Lua table of \(t.count) numbers")
      try pushNested(call.L, t, axis: 0, offset: 0)
      return 1
    }
    method(
      &r, "get", "t:get(i1, i2, ...) -> number", "The element at 1-based positions (negative from the end)."
    ) {
      call in
      let t = try call.tensor(1).value
      call.push(try t.element(at: try indices(call, t, from: 2)))
      return 1
    }
    method(
      &r, "set", "t:set(i1, i2, ..., value)", "Writes one element in place (outside the autograd graph)."
    ) {
      call in
      let v = try call.tensor(1)
      let last = call.count
      let value = try call.float(last)
      try v.value.setElement(at: try indices(call, v.value, from: 2, upTo: last - 1), to: value)
      return 0
    }
  }

  static func registerMath(into r: inout LuaRegistry) {
    let unary: [(String, String, @Sendable (Variable) -> Variable)] = [
      ("exp", "Elementwise e^x.", { $0.exp() }), ("log", "Elementwise natural logarithm.", { $0.log() }),
      ("sqrt", "Elementwise square root.", { $0.sqrt() }), ("relu", "Elementwise max(x, 0).", { $0.relu() }),
      ("tanh", "Elementwise tanh.", { $0.tanh() }),
      ("sigmoid", "Elementwise logistic sigmoid.", { $0.sigmoid() }),
      ("neg", "Elementwise -x.", { -$0 }),
    ]
    for (name, doc, f) in unary {
      method(&r, name, "t:\(name)() -> Tensor", doc) { call in
        call.push(f(try call.tensor(1)))
        return 1
      }
    }
    method(&r, "pow", "t:pow(p) -> Tensor", "Elementwise x^p for a number p.") { call in
      call.push(try call.tensor(1).pow(try call.float(2)))
      return 1
    }
    let binary: [(String, String, @Sendable (Variable, Variable) throws -> Variable)] = [
      ("add", "Elementwise sum (broadcasting); also a + b.", { try $0 + $1 }),
      ("sub", "Elementwise difference (broadcasting); also a - b.", { try $0 - $1 }),
      ("mul", "Elementwise product (broadcasting); also a * b.", { try $0 * $1 }),
      ("div", "Elementwise quotient (broadcasting); also a / b.", { try $0 / $1 }),
      ("matmul", "Matrix product [..., m, k] x [..., k, n].", { try $0.matmul($1) }),
    ]
    for (name, doc, f) in binary {
      let body: LuaBody = { call in
        let a = try call.tensor(1)
        let b = name == "matmul" ? try call.tensor(2) : try call.tensorOrNumber(2)
        call.push(try f(a, b))
        return 1
      }
      method(&r, name, "t:\(name)(other) -> Tensor", doc, body)
      r.function("tensor", name, "\(name)(a, b) -> Tensor", doc, body)
    }
    let reductions: [(String, String, @Sendable (Variable, [Int], Bool) throws -> Variable)] = [
      ("sum", "Sum over dim (all elements when omitted).", { try $0.sum(axes: $1, keepDims: $2) }),
      ("mean", "Mean over dim (all elements when omitted).", { try $0.mean(axes: $1, keepDims: $2) }),
      ("max", "Maximum over dim (all elements when omitted).", { try $0.max(axes: $1, keepDims: $2) }),
      ("min", "Minimum over dim (all elements when omitted).", { try $0.min(axes: $1, keepDims: $2) }),
    ]
    for (name, doc, f) in reductions {
      method(&r, name, "t:\(name)([dim [, keepdim=false]]) -> Tensor", doc) { call in
        let v = try call.tensor(1)
        let axes = call.isNil(2) ? [] : [try call.dim(2, rank: v.value.rank)]
        call.push(try f(v, axes, try call.boolean(3, default: false)))
        return 1
      }
    }
    method(&r, "argmax", "t:argmax(dim) -> Tensor", "1-based positions of the maxima along dim.") { call in
      let t = try call.tensor(1).value
      call.push(try t.argmax(axis: try call.dim(2, rank: t.rank)) + 1)
      return 1
    }
    method(
      &r, "classes", "t:classes() -> {c1, ...}",
      "Predicted 0-based class ids of logits [N, K] (argmax over the last dim)."
    ) { call in
      let t = try call.tensor(1).value
      guard t.rank > 0 else { throw LuaError.argument(index: 1, message: "logits [N, K] expected, got a scalar") }
      call.push(try t.argmaxIndices(axis: -1))
      return 1
    }
    method(&r, "softmax", "t:softmax([dim=-1]) -> Tensor", "Softmax along dim.") { call in
      let v = try call.tensor(1)
      call.push(try v.softmax(axis: try call.dim(2, rank: v.value.rank, default: -1)))
      return 1
    }
    method(&r, "log_softmax", "t:log_softmax([dim=-1]) -> Tensor", "Log-softmax along dim.") { call in
      let v = try call.tensor(1)
      call.push(try v.logSoftmax(axis: try call.dim(2, rank: v.value.rank, default: -1)))
      return 1
    }
  }

  static func registerShape(into r: inout LuaRegistry) {
    for name in ["reshape", "view"] {
      method(
        &r, name, "t:\(name)(d1, d2, ... | {d1, ...}) -> Tensor",
        "The same elements under another shape; one extent may be -1."
      ) { call in
        call.push(try call.tensor(1).reshaped(try call.shape(from: 2)))
        return 1
      }
    }
    method(
      &r, "flatten", "t:flatten([from=2]) -> Tensor",
      "Merges dims from..last into one ([N, ...] -> [N, rest])."
    ) {
      call in
      let v = try call.tensor(1)
      call.push(try v.flattened(from: try call.dim(2, rank: v.value.rank, default: 2)))
      return 1
    }
    method(&r, "permute", "t:permute(d1, d2, ...) -> Tensor", "Reorders the dimensions (1-based).") { call in
      let v = try call.tensor(1)
      let dims = try call.shape(from: 2)
      let axes = try dims.map { try LuaCall.axis($0, rank: v.value.rank, argument: 2) }
      guard axes.sorted() == Array(0..<v.value.rank) else {
        throw LuaError.argument(
          index: 2, message: "{\(dims.map(String.init).joined(separator: ", "))} is not an order of the "
            + "dimensions 1..\(v.value.rank)")
      }
      call.push(try v.permuted(axes))
      return 1
    }
    method(&r, "squeeze", "t:squeeze(dim) -> Tensor", "Removes dimension dim of extent 1.") { call in
      let v = try call.tensor(1)
      let axis = try call.dim(2, rank: v.value.rank)
      // Checked here so that the message counts dimensions from 1, as the caller does.
      guard v.value.shape[axis] == 1 else {
        throw LuaError.argument(
          index: 2, message: "dimension \(try call.integer(2)) has extent \(v.value.shape[axis]), not 1")
      }
      call.push(try v.squeezed(axis: axis))
      return 1
    }
    method(
      &r, "unsqueeze", "t:unsqueeze(dim) -> Tensor", "Inserts a dimension of extent 1 at position dim."
    ) { call in
      let v = try call.tensor(1)
      call.push(try v.unsqueezed(axis: try call.dim(2, rank: v.value.rank + 1)))
      return 1
    }
    method(&r, "t", "t:t() -> Tensor", "Swaps the last two dimensions.") { call in
      call.push(try call.tensor(1).transposed())
      return 1
    }
    method(&r, "transpose", "t:transpose(d1, d2) -> Tensor", "Swaps two dimensions.") { call in
      let v = try call.tensor(1)
      let rank = v.value.rank
      var axes = Array(0..<rank)
      axes.swapAt(try call.dim(2, rank: v.value.rank), try call.dim(3, rank: v.value.rank))
      call.push(try v.permuted(axes))
      return 1
    }
    method(
      &r, "slice", "t:slice(dim, first [, last=first]) -> Tensor",
      "Positions first..last (1-based, inclusive, negative from the end) along dim, dims kept."
    ) { call in
      let v = try call.tensor(1)
      let axis = try call.dim(2, rank: v.value.rank)
      let n = v.value.shape[axis]
      let first = try position(try call.integer(3), extent: n, argument: 3)
      let last = try position(try call.integer(4, default: try call.integer(3)), extent: n, argument: 4)
      guard first <= last else {
        throw LuaError.argument(index: 4, message: "empty range \(first + 1)..\(last + 1)")
      }
      call.push(try v.sliced(axis: axis, start: first, end: last + 1))
      return 1
    }
    method(
      &r, "index_select", "t:index_select(dim, {i1, i2, ...}) -> Tensor",
      "Gathers 1-based positions along dim (differentiable)."
    ) { call in
      let v = try call.tensor(1)
      let axis = try call.dim(2, rank: v.value.rank)
      let n = v.value.shape[axis]
      let idx = try call.integers(3).map { try position($0, extent: n, argument: 3) }
      call.push(try v.indexSelect(axis: axis, indices: idx))
      return 1
    }
  }

  static func registerAutograd(into r: inout LuaRegistry) {
    method(
      &r, "backward", "t:backward([seed])",
      "Backpropagates from t (a one-element tensor unless seed is given; a non-finite one is an error)."
    ) {
      call in
      let v = try call.tensor(1)
      let seed = try call.object(2, tensorClass, optional: true)?.value
      if seed == nil, v.value.count == 1, !v.value.isAllFinite {
        throw BindingError(call.context.located("the loss is not finite (\(v.value.storage[0]))"))
      }
      try v.backward(seed)
      return 0
    }
    method(&r, "grad", "t:grad() -> Tensor | nil", "The accumulated gradient, or nil.") { call in
      if let g = try call.tensor(1).grad { call.push(g) } else { call.pushNil() }
      return 1
    }
    method(&r, "zero_grad", "t:zero_grad()", "Forgets the accumulated gradient.") { call in
      try call.tensor(1).zeroGrad()
      return 0
    }
    method(
      &r, "requires_grad", "t:requires_grad([flag]) -> boolean | Tensor",
      "Without flag: whether gradients flow to t. With flag: sets it on a leaf and returns t."
    ) { call in
      let v = try call.tensor(1)
      if call.isNil(2) {
        call.push(v.requiresGrad)
        return 1
      }
      guard v.isLeaf else {
        throw LuaError.argument(index: 1, message: "requires_grad can only be set on a leaf tensor")
      }
      v.requiresGrad = try call.boolean(2, default: true)
      lua_pushvalue(call.L, 1)
      return 1
    }
    method(&r, "retain_grad", "t:retain_grad()", "Keeps the gradient of a non-leaf tensor after backward.") {
      call in
      try call.tensor(1).retainGrad()
      return 0
    }
    method(&r, "detach", "t:detach() -> Tensor", "The same values outside the graph.") { call in
      call.push(try call.tensor(1).detached())
      return 1
    }
    method(&r, "clone", "t:clone() -> Tensor", "A copy of the values outside the graph.") { call in
      call.push(try call.tensor(1).value)
      return 1
    }
    method(&r, "is_leaf", "t:is_leaf() -> boolean", "Whether t was not produced by a recorded operation.") {
      call in
      call.push(try call.tensor(1).isLeaf)
      return 1
    }
  }

  static func registerMetamethods(into r: inout LuaRegistry) {
    let ops: [(String, @Sendable (Variable, Variable) throws -> Variable)] = [
      ("__add", { try $0 + $1 }), ("__sub", { try $0 - $1 }), ("__mul", { try $0 * $1 }),
      ("__div", { try $0 / $1 }),
    ]
    for (name, f) in ops {
      r.metamethod(tensorClass, name, "Elementwise arithmetic with broadcasting.") { call in
        call.push(try f(try call.tensorOrNumber(1), try call.tensorOrNumber(2)))
        return 1
      }
    }
    r.metamethod(tensorClass, "__unm", "Negation.") { call in
      call.push(-(try call.tensor(1)))
      return 1
    }
    r.metamethod(tensorClass, "__len", "The extent of the first dimension.") { call in
      let t = try call.tensor(1).value
      call.push(t.rank == 0 ? 1 : t.shape[0])
      return 1
    }
    r.metamethod(tensorClass, "__tostring", "The values and shape.") { call in
      call.push(try call.tensor(1).description)
      return 1
    }
    r.metamethod(tensorClass, "__index", "t[i]: row i (1-based); t[{a, b}]: rows a..b.") { call in
      if call.pushMethod(key: 2) { return 1 }
      let v = try call.tensor(1)
      let t = v.value
      guard t.rank > 0 else { throw LuaError.argument(index: 2, message: "cannot index a scalar tensor") }
      if call.type(2) == LUA_TNUMBER {
        let k = try position(try call.integer(2), extent: t.shape[0], argument: 2)
        if t.rank == 1 {
          call.push(try t.element(at: [k]))
        } else {
          call.push(try v.sliced(axis: 0, start: k, end: k + 1).reshaped(Array(t.shape.dropFirst())))
        }
        return 1
      }
      if call.type(2) == LUA_TTABLE {
        let range = try call.integers(2)
        guard range.count == 2 else {
          throw LuaError.argument(index: 2, message: "range {first, last} expected")
        }
        let a = try position(range[0], extent: t.shape[0], argument: 2)
        let b = try position(range[1], extent: t.shape[0], argument: 2)
        guard a <= b else { throw LuaError.argument(index: 2, message: "empty range \(a + 1)..\(b + 1)") }
        call.push(try v.sliced(axis: 0, start: a, end: b + 1))
        return 1
      }
      call.pushNil()
      return 1
    }
  }

  /// `t[i] = v`: writes row i (1-based) in place, outside the graph, from a number or a tensor of
  /// the row's size (Core's row writes).
  static func registerNewIndex(into r: inout LuaRegistry) {
    r.metamethod(tensorClass, "__newindex", "t[i] = number | Tensor: writes row i in place.") { call in
      let v = try call.tensor(1)
      guard v.value.rank > 0 else {
        throw LuaError.argument(index: 2, message: "cannot index a scalar tensor")
      }
      let k = try position(try call.integer(2), extent: v.value.shape[0], argument: 2)
      if call.type(3) == LUA_TNUMBER {
        try v.value.setRow(k, to: try call.float(3))
        return 0
      }
      let row = try call.tensor(3).value
      do {
        try v.value.setRow(k, from: row)
      } catch let error as TensorError {
        throw LuaError.argument(index: 3, message: error.description)
      }
      return 0
    }
  }

  /// A 1-based (or negative) Lua position on an axis of `extent` as a 0-based index.
  static func position(_ p: Int, extent: Int, argument: Int32) throws -> Int {
    if p >= 1 && p <= extent { return p - 1 }
    if p <= -1 && p >= -extent { return extent + p }
    throw LuaError.argument(index: argument, message: "position \(p) out of range 1..\(extent)")
  }

  /// The 1-based positions in arguments `from...upTo` as Core's 0-based indices, one per axis.
  static func indices(_ call: LuaCall, _ t: Tensor, from: Int32, upTo: Int32? = nil) throws -> [Int] {
    let last = upTo ?? call.count
    guard Int(last - from + 1) == t.rank else {
      throw LuaError.argument(
        index: from, message: "\(t.rank) positions expected, got \(max(0, last - from + 1))")
    }
    return try (0..<t.rank).map { axis in
      let k = from + Int32(axis)
      return try position(try call.integer(k), extent: t.shape[axis], argument: k)
    }
  }

  /// Pushes `t` as nested tables, one level per axis (the Lua stack grows by one per level).
  static func pushNested(_ L: OpaquePointer, _ t: Tensor, axis: Int, offset: Int) throws {
    guard lua_checkstack(L, 2) != 0 else { throw BindingError("tensor of rank \(t.rank) too deep for Lua tables") }
    if t.rank == 0 {
      lua_pushnumber(L, Double(t.storage[0]))
      return
    }
    let n = t.shape[axis]
    let stride = t.strides[axis]
    lua_createtable(L, Int32(clamping: n), 0)
    for k in 0..<n {
      if axis == t.rank - 1 {
        lua_pushnumber(L, Double(t.storage[offset + k]))
      } else {
        try pushNested(L, t, axis: axis + 1, offset: offset + k * stride)
      }
      lua_rawseti(L, -2, lua_Integer(k + 1))
    }
  }
}
