import CLua
import Core

/// A retained optimiser (the protocol type boxed so Lua can hold it).
public final class OptimizerRef {
  /// The optimiser.
  public let optimizer: Optimizer
  /// The name it was made with (`sgd`, `adam`, `adamw`).
  public let kind: String
  /// The parameters' dotted names when it was made from a model (for error messages).
  let names: [String]?

  init(_ optimizer: Optimizer, kind: String, names: [String]?) {
    self.optimizer = optimizer
    self.kind = kind
    self.names = names
  }

  /// How error messages name parameter `index`.
  func parameterName(_ index: Int) -> String {
    names.map { "'\($0[index])'" } ?? "parameter #\(index + 1)"
  }
}

/// The Lua class of optimisers.
public let optimizerClass = LuaClass<OptimizerRef>(
  name: "lethe.Optimizer", doc: "A gradient-descent optimiser over a fixed list of parameters.")

/// `lethe.optim`: SGD, Adam, AdamW.
enum OptimLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "optim", doc: "Optimisers with PyTorch's update rules.",
      example: """
        local opt = lethe.optim.sgd(model, {lr = 0.01, momentum = 0.9})
        opt:zero_grad(); loss:backward(); opt:step()
        """)
    r.function(
      "optim", "sgd",
      "sgd(model | {Tensor, ...}, \(SGD.Options.optionSpecs().luaSignature))",
      "Stochastic gradient descent."
    ) { call in
      let ps = try parameters(call, 1)
      let o = try SGD(parameters: ps, options: try LuaConfigReader.read(call, 2, base: SGD.Options()))
      call.push(OptimizerRef(o, kind: "sgd", names: parameterNames(call, 1)), optimizerClass)
      return 1
    }
    for (name, base) in [("adam", Adam.Options()), ("adamw", Adam.Options.adamW)] {
      r.function(
        "optim", name, "\(name)(model | {Tensor, ...} [, \(Adam.Options.optionSpecs(base: base).luaSignature)])",
        base.decoupled ? "AdamW (decoupled weight decay)." : "Adam."
      ) { call in
        let ps = try parameters(call, 1)
        let o = try Adam(parameters: ps, options: try LuaConfigReader.read(call, 2, base: base))
        call.push(OptimizerRef(o, kind: name, names: parameterNames(call, 1)), optimizerClass)
        return 1
      }
    }
    r.function(
      "optim", "clip_grad_norm", "clip_grad_norm(model | {Tensor, ...}, max_norm) -> total_norm",
      "Scales the gradients so that their joint norm is at most max_norm (torch.nn.utils.clip_grad_norm_); "
        + "returns the norm before clipping. A non-finite gradient is an error naming its parameter."
    ) { call in
      let ps = try parameters(call, 1)
      let maxNorm = try call.number(2)
      guard maxNorm >= 0, maxNorm.isFinite else {
        throw LuaError.argument(index: 2, message: "finite max_norm ≥ 0 expected")
      }
      if let k = Gradients.firstNonFinite(in: ps) {
        let name = parameterNames(call, 1).map { "'\($0[k])'" } ?? "parameter #\(k + 1)"
        throw BindingError(call.context.located("the gradient of \(name) is not finite"))
      }
      call.push(try Gradients.clipNorm(ps, maxNorm: maxNorm))
      return 1
    }
    r.declare(optimizerClass)
    r.method(
      optimizerClass, "step", "opt:step()",
      "Applies one update from the current gradients (a non-finite gradient is an error naming its parameter)."
    ) { call in
      let o = try call.object(1, optimizerClass)
      if let k = Gradients.firstNonFinite(in: o.optimizer.parameters) {
        throw BindingError(call.context.located("the gradient of \(o.parameterName(k)) is not finite"))
      }
      try o.optimizer.step()
      call.context.runningMethod?.steps += 1
      return 0
    }
    r.method(optimizerClass, "zero_grad", "opt:zero_grad()", "Forgets the gradients of its parameters.") {
      call in
      try call.object(1, optimizerClass).optimizer.zeroGrad()
      return 0
    }
    r.method(
      optimizerClass, "lr", "opt:lr([value]) -> number", "The learning rate; sets it when value is given."
    ) {
      call in
      let o = try call.object(1, optimizerClass).optimizer
      if !call.isNil(2) {
        let v = try call.float(2)
        guard v >= 0 else {
          throw LuaError.argument(index: 2, message: "non-negative learning rate expected")
        }
        o.learningRate = v
      }
      call.push(o.learningRate)
      return 1
    }
    r.method(optimizerClass, "reset", "opt:reset()", "Forgets momentum buffers and moment estimates.") {
      call in
      try call.object(1, optimizerClass).optimizer.resetState()
      return 0
    }
    r.metamethod(optimizerClass, "__tostring", "The kind, learning rate and parameter count.") { call in
      let o = try call.object(1, optimizerClass)
      call.push(
        "lethe.Optimizer(\(o.kind), lr \(o.optimizer.learningRate), \(o.optimizer.parameters.count) tensors)")
      return 1
    }
  }

  /// The dotted parameter names of a model at `i` (nil for a list of tensors).
  static func parameterNames(_ call: LuaCall, _ i: Int32) -> [String]? {
    LuaObjects.test(call.L, i, moduleClass)?.namedParameters().map(\.0)
  }

  /// The parameters of a model at `i`, or a list of tensors.
  static func parameters(_ call: LuaCall, _ i: Int32) throws -> [Variable] {
    if let m = LuaObjects.test(call.L, i, moduleClass) { return m.parameters() }
    guard call.type(i) == LUA_TTABLE else {
      throw call.typeError(i, expected: "lethe.Module or table of tensors")
    }
    return try TensorLibrary.tensorList(call, i)
  }
}
