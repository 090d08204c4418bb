import CLua
import Core

/// Functional layers in `lethe.nn` (for models written in Lua) and tensor comparisons.
enum FunctionalLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.function(
      "nn", "linear", "linear(x, weight [, bias]) -> Tensor",
      "x·weightᵀ + bias with PyTorch's layout (weight [out, in])."
    ) { call in
      call.push(
        try Functional.linear(
          try call.tensor(1), weight: try call.tensor(2),
          bias: try call.object(3, tensorClass, optional: true)))
      return 1
    }
    r.function(
      "nn", "conv2d",
      "conv2d(x, weight [, bias [, \(Conv2dOptions.optionSpecs(options: Conv2dOptions.geometry).luaSignature)]]) -> Tensor",
      "2-D convolution of [N, C, H, W] with weight [out, C, kh, kw]."
    ) { call in
      let o = try LuaConfigReader.read(call, 4, options: Conv2dOptions.geometry)
      call.push(
        try Functional.conv2d(
          try call.tensor(1), weight: try call.tensor(2),
          bias: try call.object(3, tensorClass, optional: true), stride: o.stride, padding: o.padding))
      return 1
    }
    r.function("nn", "max_pool2d", "max_pool2d(x, kernel [, stride = kernel]) -> Tensor", "Max pooling.") {
      call in
      let k = try call.integer(2)
      call.push(
        try Functional.maxPool2d(try call.tensor(1), kernel: k, stride: try call.integer(3, default: k)))
      return 1
    }
    r.function("nn", "avg_pool2d", "avg_pool2d(x, kernel [, stride = kernel]) -> Tensor", "Average pooling.")
    {
      call in
      let k = try call.integer(2)
      call.push(
        try Functional.avgPool2d(try call.tensor(1), kernel: k, stride: try call.integer(3, default: k)))
      return 1
    }
    r.function(
      "nn", "dropout", "dropout(x, p [, training = true]) -> Tensor",
      "Zeroes elements with probability p and scales the rest by 1/(1-p) (seeded by lethe.seed)."
    ) { call in
      let p = try call.float(2)
      guard p >= 0, p < 1 else { throw LuaError.argument(index: 2, message: "p in [0, 1) expected") }
      call.push(
        try Functional.dropout(
          try call.tensor(1), p: p, training: try call.boolean(3, default: true), rng: &call.context.rng))
      return 1
    }
    let comparisons: [(String, String, @Sendable (Tensor, Tensor) throws -> Tensor)] = [
      ("gt", ">", { try $0.greater($1) }), ("lt", "<", { try $0.less($1) }),
      ("ge", ">=", { try $0.greaterEqual($1) }), ("le", "<=", { try $0.lessEqual($1) }),
      ("eq", "==", { try $0.equal($1) }),
    ]
    for (name, op, f) in comparisons {
      r.method(
        tensorClass, name, "t:\(name)(other) -> Tensor",
        "1 where t \(op) other (a tensor or number, broadcasting), else 0; no gradient."
      ) { call in
        call.push(try f(try call.tensor(1).value, try call.tensorOrNumber(2).value))
        return 1
      }
    }
    r.method(
      moduleClass, "modules", "m:modules() -> {name, ...}, {Module, ...}",
      "Every submodule with its dotted name (the model itself first, named '')."
    ) { call in
      let all = try call.module(1).namedModules()
      call.push(all.map(\.0))
      lua_createtable(call.L, Int32(all.count), 0)
      for (k, m) in all.enumerated() {
        call.push(m.1, moduleClass)
        lua_rawseti(call.L, -2, lua_Integer(k + 1))
      }
      return 2
    }
  }
}
