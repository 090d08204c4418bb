import CLua
import Core
import Foundation

/// The methods and metamethods of `lethe.Module`.
enum ModuleMethods {
  private static func method(
    _ r: inout LuaRegistry, _ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaBody
  ) {
    r.method(moduleClass, name, signature, doc, body)
  }

  static func register(into r: inout LuaRegistry) {
    let forward: LuaBody = { call in
      call.push(try call.module(1)(try call.tensor(2)))
      return 1
    }
    method(&r, "forward", "m:forward(x) -> Tensor", "The forward pass (also m(x)).", forward)
    r.metamethod(moduleClass, "__call", "m(x): the forward pass.", forward)
    r.metamethod(moduleClass, "__tostring", "The module tree with parameter counts.") { call in
      call.push(try call.module(1).treeDescription)
      return 1
    }
    method(
      &r, "summary", "m:summary(d1, d2, ... | {d1, ...}) -> string",
      "The tree with each layer's output shape for one sample of that shape, and parameter counts."
    ) { call in
      call.push(try call.module(1).summary(inputShape: try call.shape(from: 2)))
      return 1
    }
    method(
      &r, "train", "m:train([on = true]) -> m",
      "Training mode (batch statistics, dropout on), or eval when false."
    ) {
      call in
      try call.module(1).train(try call.boolean(2, default: true))
      lua_pushvalue(call.L, 1)
      return 1
    }
    method(&r, "eval", "m:eval() -> m", "Evaluation mode (running statistics, no dropout).") { call in
      try call.module(1).eval()
      lua_pushvalue(call.L, 1)
      return 1
    }
    method(&r, "is_training", "m:is_training() -> boolean", "Whether the module is in training mode.") {
      call in
      call.push(try call.module(1).isTraining)
      return 1
    }
    method(
      &r, "clone", "m:clone() -> Module", "A deep copy (new parameters with equal values, no gradients)."
    ) { call in
      call.push(try call.module(1).clone(), moduleClass)
      return 1
    }
    method(&r, "zero_grad", "m:zero_grad()", "Forgets every parameter's gradient.") { call in
      try call.module(1).zeroGrad()
      return 0
    }
    method(
      &r, "parameters", "m:parameters() -> {Tensor, ...}",
      "The parameters (shared with the model, not copies)."
    ) {
      call in
      let ps = try call.module(1).parameters()
      lua_createtable(call.L, Int32(ps.count), 0)
      for (k, p) in ps.enumerated() {
        call.push(p)
        lua_rawseti(call.L, -2, lua_Integer(k + 1))
      }
      return 1
    }
    method(
      &r, "parameter_names", "m:parameter_names() -> {string, ...}", "Dotted parameter names, PyTorch style."
    ) {
      call in
      call.push(try call.module(1).namedParameters().map(\.0))
      return 1
    }
    method(&r, "parameter", "m:parameter(name) -> Tensor", "The parameter with that dotted name (shared).") {
      call in
      let m = try call.module(1)
      let name = try call.string(2)
      guard let p = m.parameter(named: name) else {
        throw LuaError.argument(index: 2, message: "no parameter named '\(name)'")
      }
      call.push(p)
      return 1
    }
    method(&r, "parameter_count", "m:parameter_count() -> integer", "The number of parameter elements.") {
      call in
      call.push(try call.module(1).parameterCount)
      return 1
    }
    method(
      &r, "children", "m:children() -> {name, ...}, {Module, ...}", "The direct children and their names."
    ) {
      call in
      let cs = try call.module(1).children
      call.push(cs.map(\.0))
      lua_createtable(call.L, Int32(cs.count), 0)
      for (k, c) in cs.enumerated() {
        call.push(c.1, moduleClass)
        lua_rawseti(call.L, -2, lua_Integer(k + 1))
      }
      return 2
    }
    method(&r, "get", "m:get(name) -> Module", "The submodule with that dotted name (e.g. 'layer1.0').") {
      call in
      let m = try call.module(1)
      let name = try call.string(2)
      guard let sub = m.namedModules().first(where: { $0.0 == name })?.1 else {
        throw LuaError.argument(index: 2, message: "no submodule named '\(name)'")
      }
      call.push(sub, moduleClass)
      return 1
    }
    method(
      &r, "state_dict", "m:state_dict() -> {name = Tensor, ...}", "Copies of parameters and buffers by name."
    ) {
      call in
      let state = try call.module(1).stateDict()
      lua_createtable(call.L, 0, Int32(state.count))
      for (name, t) in state {
        lua_pushstring(call.L, name)
        call.push(t)
        lua_rawset(call.L, -3)
      }
      return 1
    }
    method(
      &r, "load_state_dict", "m:load_state_dict(state [, strict = true]) -> m",
      "Writes parameters and buffers from a name -> Tensor table (all or nothing)."
    ) { call in
      let m = try call.module(1)
      try call.table(2)
      var state = [String: Tensor]()
      lua_pushnil(call.L)
      while lua_next(call.L, 2) != 0 {
        defer { clua_pop(call.L, 1) }
        guard lua_type(call.L, -2) == LUA_TSTRING, let key = clua_tostring(call.L, -2),
          let t = LuaObjects.test(call.L, -1, tensorClass)
        else { throw LuaError.argument(index: 2, message: "string keys and lethe.Tensor values expected") }
        state[String(cString: key)] = t.value
      }
      try m.loadStateDict(state, strict: try call.boolean(3, default: true))
      lua_pushvalue(call.L, 1)
      return 1
    }
    method(
      &r, "save", "m:save(path)", "Writes parameters and buffers as a safetensors checkpoint (PyTorch names)."
    ) {
      call in
      try Checkpoint.save(try call.module(1), to: URL(fileURLWithPath: try call.string(2)))
      return 0
    }
    method(
      &r, "load", "m:load(path [, strict = true]) -> m", "Reads a safetensors checkpoint into the model."
    ) { call in
      let m = try call.module(1)
      try Checkpoint.load(
        into: m, from: URL(fileURLWithPath: try call.string(2)), strict: try call.boolean(3, default: true))
      lua_pushvalue(call.L, 1)
      return 1
    }
    method(
      &r, "parameter_vector", "m:parameter_vector() -> Tensor", "All parameters flattened into one vector."
    ) {
      call in
      call.push(try call.module(1).parameterVector())
      return 1
    }
    method(
      &r, "set_parameter_vector", "m:set_parameter_vector(v)", "Writes all parameters from one flat vector."
    ) {
      call in
      try call.module(1).setParameterVector(try call.tensor(2).value)
      return 0
    }
    method(
      &r, "gradient_vector", "m:gradient_vector() -> Tensor", "All gradients flattened (zeros where none)."
    ) {
      call in
      call.push(try call.module(1).gradientVector())
      return 1
    }
    method(
      &r, "stats", "m:stats() -> rows",
      "Per-parameter statistics: count, norm, mean, std, min, max (prints as a table)."
    ) { call in
      let rows: [[(String, RowValue)]] = try TensorStatistics.parameters(of: try call.module(1)).map { name, s in
        [
          ("name", .text(name)), ("count", .integer(s.count)), ("norm", .number(s.norm)),
          ("mean", .number(s.mean)), ("std", .number(s.std)), ("min", .number(s.min)), ("max", .number(s.max)),
        ]
      }
      Rows.push(call, rows, columns: ["name", "count", "norm", "mean", "std", "min", "max"])
      return 1
    }
  }
}
