import CLua
import Core

/// `lethe.tensor`: creating tensors, autograd switches, and the functions also offered as methods.
enum TensorLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "tensor", doc: "Float32 tensors with autograd; positions and dimensions are 1-based.",
      example: """
        local T = lethe.tensor
        local x = T.new({{1, 2}, {3, 4}}, {requires_grad = true})
        local y = (x * x):sum()
        y:backward()
        print(x:grad())        --> tensor([[2, 4], [6, 8]], shape {2, 2})
        """)
    registerCreation(into: &r)
    r.declare(tensorClass)
    TensorMethods.register(into: &r)
    r.prelude("tensor", PackageResources.tensor_lua)
  }

  static func registerCreation(into r: inout LuaRegistry) {
    r.function(
      "tensor", "new", "new(values [, \(TensorNewOptions.optionSpecs().luaSignature)]) -> Tensor",
      "A tensor from a number or a nested table of numbers (its nesting gives the shape)."
    ) { call in
      let grad = try LuaConfigReader.read(call, 2, base: TensorNewOptions()).requiresGrad
      if call.type(1) == LUA_TNUMBER {
        call.push(Variable(Tensor(scalar: try call.float(1)), requiresGrad: grad))
        return 1
      }
      let (values, shape) = try LuaConfigReader.nestedNumbers(call, 1)
      call.push(Variable(try Tensor(validating: values, shape: shape), requiresGrad: grad))
      return 1
    }
    for (name, value) in [("zeros", Float(0)), ("ones", Float(1))] {
      r.function(
        "tensor", name, "\(name)(d1, d2, ... | {d1, d2, ...}) -> Tensor", "A tensor of \(name) of that shape."
      ) { call in
        call.push(Tensor(repeating: value, shape: try checkedShape(call, from: 1)))
        return 1
      }
    }
    r.function("tensor", "full", "full({d1, ...}, value) -> Tensor", "A tensor filled with value.") {
      call in
      let shape = try call.integers(1)
      try validate(shape, argument: 1)
      call.push(Tensor(repeating: try call.float(2), shape: shape))
      return 1
    }
    r.function(
      "tensor", "arange", "arange(n) | arange(start, stop [, step]) -> Tensor",
      "0, 1, ..., n-1; or start, start+step, ... below stop."
    ) { call in
      if call.isNil(2) {
        let n = try call.integer(1)
        try validate([n], argument: 1)
        call.push(Tensor.arange(n))
      } else {
        call.push(
          try Tensor.arange(
            start: try call.float(1), end: try call.float(2), step: try call.float(3, default: 1)))
      }
      return 1
    }
    r.function(
      "tensor", "rand", "rand(d1, d2, ... | {d1, ...}) -> Tensor",
      "Uniform values in [0, 1) from the seeded generator (lethe.seed)."
    ) { call in
      let shape = try checkedShape(call, from: 1)
      call.push(Tensor.uniform(shape, rng: &call.context.rng))
      return 1
    }
    r.function(
      "tensor", "randn", "randn(d1, d2, ... | {d1, ...}) -> Tensor",
      "Standard normal values from the seeded generator (lethe.seed)."
    ) { call in
      let shape = try checkedShape(call, from: 1)
      call.push(Tensor.normal(shape, rng: &call.context.rng))
      return 1
    }
    r.function(
      "tensor", "cat", "cat({t1, t2, ...} [, dim=1]) -> Tensor",
      "Concatenates tensors along an existing dimension (differentiable)."
    ) { call in
      let list = try tensorList(call, 1)
      let first = list[0].value
      guard first.rank > 0 else {
        throw LuaError.argument(index: 1, message: "scalar tensors have no dimension to join along (stack them)")
      }
      let axis = try call.dim(2, rank: first.rank, default: 1)
      // Checked here so that the message counts dimensions and positions from 1.
      for (k, t) in list.enumerated() {
        let (a, b) = (t.value.shape, first.shape)
        guard a.count == b.count, a.indices.allSatisfy({ $0 == axis || a[$0] == b[$0] }) else {
          throw LuaError.argument(
            index: 1, message: "tensor \(k + 1) has shape \(luaShape(a)), tensor 1 \(luaShape(b)): they must "
              + "agree except in dimension \(axis + 1)")
        }
      }
      call.push(try Variable.concat(list, axis: axis))
      return 1
    }
    r.function(
      "tensor", "stack", "stack({t1, t2, ...} [, dim=1]) -> Tensor",
      "Stacks equal-shaped tensors along a new dimension (differentiable)."
    ) { call in
      let list = try tensorList(call, 1)
      let axis = try call.dim(2, rank: (list.first?.value.rank ?? 0) + 1, default: 1)
      call.push(try Variable.stack(list, axis: axis))
      return 1
    }
    r.function(
      "tensor", "no_grad", "no_grad(f, ...) -> results of f",
      "Calls f(...) without recording the autograd graph (evaluation, manual updates)."
    ) { call in
      guard call.type(1) == LUA_TFUNCTION else { throw call.typeError(1, expected: "function") }
      let nargs = call.count - 1
      let before = lua_gettop(call.L)
      try GradMode.withoutGrad {
        try call.callFunction(at: 1, nargs: nargs, nresults: CLUA_MULTRET) {
          for k in 0..<nargs { lua_pushvalue(call.L, 2 + k) }
        }
      }
      return lua_gettop(call.L) - before
    }
    r.function(
      "tensor", "is_grad_enabled", "is_grad_enabled() -> boolean",
      "Whether operations currently record the autograd graph."
    ) { call in
      call.push(GradMode.isEnabled)
      return 1
    }
    r.function("tensor", "is_tensor", "is_tensor(x) -> boolean", "Whether x is a lethe.Tensor.") { call in
      call.push(LuaObjects.test(call.L, 1, tensorClass) != nil)
      return 1
    }
  }

  /// A shape from varargs or a table at `i`, validated (non-negative extents).
  static func checkedShape(_ call: LuaCall, from i: Int32) throws -> [Int] {
    let shape = try call.shape(from: i)
    try validate(shape, argument: i)
    return shape
  }

  static func validate(_ shape: [Int], argument: Int32) throws {
    do {
      try Tensor.validate(shape: shape)
    } catch let error as TensorError {
      throw LuaError.argument(index: argument, message: error.description)
    }
  }

  /// A shape as Lua prints it: `{2, 3}`.
  static func luaShape(_ shape: [Int]) -> String { "{" + shape.map(String.init).joined(separator: ", ") + "}" }

  /// A Lua sequence of tensors at `i`.
  static func tensorList(_ call: LuaCall, _ i: Int32) throws -> [Variable] {
    try call.table(i)
    let n = lua_rawlen(call.L, i)
    var out = [Variable]()
    for k in 0..<n {
      lua_rawgeti(call.L, i, lua_Integer(k + 1))
      defer { clua_pop(call.L, 1) }
      guard let t = LuaObjects.test(call.L, -1, tensorClass) else {
        throw LuaError.argument(index: i, message: "lethe.Tensor expected at position \(k + 1)")
      }
      out.append(t)
    }
    guard !out.isEmpty else {
      throw LuaError.argument(index: i, message: "non-empty list of tensors expected")
    }
    return out
  }
}
