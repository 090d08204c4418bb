import CLua
import Core

/// The Lua class of modules and models (Core's `Module`).
public let moduleClass = LuaClass<Module>(
  name: "lethe.Module", doc: "A layer or model: parameters with dotted names, train/eval mode, forward.")

extension LuaCall {
  /// Argument `i` as a module.
  public func module(_ i: Int32) throws -> Module { try object(i, moduleClass) }
}

/// `lethe.nn`: models, layers, losses, model inspection.
enum NNLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "nn", doc: "Models (cnn, mlp, resnet18), layers, losses and model inspection.",
      example: """
        local nn = lethe.nn
        local m = nn.cnn{input = {1, 28, 28}, classes = 10, seed = 1}
        print(m:summary(1, 28, 28))
        local logits = m(lethe.tensor.zeros(4, 1, 28, 28))
        local loss = nn.cross_entropy(logits, {0, 1, 2, 3})
        loss:backward()
        print(m:stats())
        """)
    registerModels(into: &r)
    registerLayers(into: &r)
    registerLosses(into: &r)
    r.declare(moduleClass)
    ModuleMethods.register(into: &r)
    ModuleParameterMethods.register(into: &r)
  }

  static func registerModels(into r: inout LuaRegistry) {
    for name in Models.names {
      r.function(
        "nn", name,
        "\(name)\(ModelArguments.optionSpecs().luaSignature) -> Module",
        "The survey's \(name) model (see docs/nn.md for the options)."
      ) { call in
        call.push(try makeModel(call, name: name, options: 1), moduleClass)
        return 1
      }
    }
    r.function(
      "nn", "model", "model(name, {input = ..., classes = ...}) -> Module",
      "A model by name (\(Models.names.joined(separator: ", ")))."
    ) { call in
      call.push(try makeModel(call, name: try call.string(1), options: 2), moduleClass)
      return 1
    }
  }

  static func makeModel(_ call: LuaCall, name: String, options i: Int32) throws -> Module {
    guard call.type(i) == LUA_TTABLE else { throw call.typeError(i, expected: "table") }
    let o = try LuaConfigReader.read(call, i, base: ModelArguments())
    // `input` and `classes` are required: the reader has checked they are there.
    let input = o.input ?? []
    let model = try Models.make(
      name, inputShape: input, classes: o.classes ?? 0, seed: o.seed ?? call.context.seed, options: o.model)
    // One forward pass of a single sample records every layer's output shape, so that printing
    // the model shows them from the start (later passes update them).
    _ = try model.summary(inputShape: input)
    return model
  }

  static func registerLayers(into r: inout LuaRegistry) {
    r.function(
      "nn", "Linear", "Linear(in, out [, \(LinearOptions.optionSpecs().luaSignature)]) -> Module",
      "A fully connected layer x·Wᵀ + b."
    ) {
      call in
      let bias = try LuaConfigReader.read(call, 3, base: LinearOptions()).bias
      call.push(
        try Linear(try call.integer(1), try call.integer(2), bias: bias, rng: &call.context.rng), moduleClass)
      return 1
    }
    r.function(
      "nn", "Conv2d", "Conv2d(in, out, kernel [, \(Conv2dOptions.optionSpecs().luaSignature)]) -> Module",
      "A 2-D convolution over [N, C, H, W]."
    ) { call in
      let o = try LuaConfigReader.read(call, 4, base: Conv2dOptions())
      let m = try Conv2d(
        try call.integer(1), try call.integer(2), kernelSize: try call.integer(3), stride: o.stride,
        padding: o.padding, bias: o.bias, rng: &call.context.rng)
      call.push(m, moduleClass)
      return 1
    }
    r.function("nn", "ReLU", "ReLU() -> Module", "Elementwise max(x, 0).") { call in
      call.push(ReLU(), moduleClass)
      return 1
    }
    r.function("nn", "Tanh", "Tanh() -> Module", "Elementwise tanh.") { call in
      call.push(Tanh(), moduleClass)
      return 1
    }
    r.function("nn", "Flatten", "Flatten() -> Module", "[N, ...] -> [N, rest].") { call in
      call.push(Flatten(), moduleClass)
      return 1
    }
    r.function("nn", "MaxPool2d", "MaxPool2d(kernel [, stride = kernel]) -> Module", "Max pooling.") { call in
      call.push(
        try MaxPool2d(
          kernelSize: try call.integer(1), stride: try call.integer(2, default: try call.integer(1))),
        moduleClass)
      return 1
    }
    r.function("nn", "AvgPool2d", "AvgPool2d(kernel [, stride = kernel]) -> Module", "Average pooling.") {
      call in
      call.push(
        try AvgPool2d(
          kernelSize: try call.integer(1), stride: try call.integer(2, default: try call.integer(1))),
        moduleClass)
      return 1
    }
    r.function(
      "nn", "Dropout", "Dropout(p) -> Module", "Zeroes elements with probability p in training mode."
    ) {
      call in
      call.push(try Dropout(p: try call.float(1), rng: &call.context.rng), moduleClass)
      return 1
    }
    r.function(
      "nn", "BatchNorm2d", "BatchNorm2d(channels) -> Module", "Batch normalisation over [N, C, H, W]."
    ) {
      call in
      call.push(try BatchNorm2d(try call.integer(1)), moduleClass)
      return 1
    }
    r.function(
      "nn", "Sequential", "Sequential{m1, m2, ...} -> Module",
      "Modules applied in order; children are named 0, 1, ... as in PyTorch (parameter names like 0.weight)."
    ) { call in
      try call.table(1)
      var layers = [Module]()
      let n = lua_rawlen(call.L, 1)
      for k in 0..<n {
        lua_rawgeti(call.L, 1, lua_Integer(k + 1))
        defer { clua_pop(call.L, 1) }
        guard let m = LuaObjects.test(call.L, -1, moduleClass) else {
          throw LuaError.argument(index: 1, message: "lethe.Module expected at position \(k + 1)")
        }
        layers.append(m)
      }
      call.push(Sequential(layers), moduleClass)
      return 1
    }
  }

  static func registerLosses(into r: inout LuaRegistry) {
    r.function(
      "nn", "cross_entropy", "cross_entropy(logits, labels) -> Tensor",
      "Mean cross-entropy of logits [N, K] against 0-based class labels (table or tensor)."
    ) { call in
      call.push(try Functional.crossEntropy(try call.tensor(1), targets: try call.labels(2)))
      return 1
    }
    r.function(
      "nn", "nll_loss", "nll_loss(log_probs, labels) -> Tensor",
      "Mean negative log-likelihood of [N, K] log-probabilities."
    ) { call in
      call.push(try Functional.nllLoss(try call.tensor(1), targets: try call.labels(2)))
      return 1
    }
    r.function("nn", "mse", "mse(prediction, target) -> Tensor", "Mean squared error.") { call in
      call.push(try Functional.mse(try call.tensor(1), try call.tensor(2)))
      return 1
    }
    r.function(
      "nn", "kl_div", "kl_div(student_logits, teacher_logits) -> Tensor",
      "KL(teacher ‖ student) of the softmaxes, batch mean (PyTorch's kl_div, batchmean)."
    ) { call in
      call.push(try Functional.klDivLogits(student: try call.tensor(1), teacher: try call.tensor(2)))
      return 1
    }
    r.function(
      "nn", "distance", "distance(a, b) -> rows",
      "Per-parameter L2 distance between two models of the same architecture (and relative to a's norm)."
    ) { call in
      let entries: [ParameterDistance.Entry]
      do {
        entries = try ParameterDistance.perParameter(try call.module(2), reference: try call.module(1))
      } catch let error as MetricError {
        throw LuaError.argument(index: 2, message: error.description)
      }
      // A parameter whose reference is all zeros (a fresh bias) has no relative distance: 0 here.
      let rows: [[(String, RowValue)]] = entries.map {
        [("name", .text($0.name)), ("l2", .number($0.l2)), ("relative", .number($0.relative ?? 0))]
      }
      Rows.push(call, rows, columns: ["name", "l2", "relative"])
      return 1
    }
  }
}

/// A value in a printed table of rows.
enum RowValue {
  case text(String)
  case number(Double)
  case integer(Int)
}

/// Tables of rows (model stats, distances) that print as aligned columns (`lethe.Rows`).
enum Rows {
  /// Pushes `{row1, row2, ..., columns = {...}}` with the `lethe.Rows` metatable from the prelude.
  static func push(_ call: LuaCall, _ rows: [[(String, RowValue)]], columns: [String]) {
    let L = call.L
    lua_createtable(L, Int32(rows.count), 1)
    for (k, row) in rows.enumerated() {
      lua_createtable(L, 0, Int32(row.count))
      for (key, value) in row {
        lua_pushstring(L, key)
        switch value {
        case .text(let s): lua_pushstring(L, s)
        case .number(let x): lua_pushnumber(L, x)
        case .integer(let n): lua_pushinteger(L, lua_Integer(n))
        }
        lua_rawset(L, -3)
      }
      lua_rawseti(L, -2, lua_Integer(k + 1))
    }
    lua_pushstring(L, "columns")
    call.push(columns)
    lua_rawset(L, -3)
    lua_pushstring(L, "lethe.Rows")
    if lua_rawget(L, CLUA_REGISTRYINDEX) == LUA_TTABLE {
      lua_setmetatable(L, -2)
    } else {
      clua_pop(L, 1)
    }
  }
}
