import CLua
import Core
import Experiments
import Methods

extension MethodsLibrary {
  /// The `lethe.UnlearningContext` class: fields through `__index`, helpers as methods.
  static func registerContext(into r: inout LuaRegistry) {
    r.declare(unlearningContextClass)
    r.method(unlearningContextClass, "labels", "ctx:labels({i, ...}) -> {label, ...}",
      "The labels (0-based classes) of the training samples at these 1-based positions.") { call in
      let box = try call.object(1, unlearningContextClass)
      call.push(try box.context.labels(try positions(try call.integers(2), argument: 2, box)))
      return 1
    }
    r.method(unlearningContextClass, "accuracy", "ctx:accuracy({i, ...}) -> percent",
      "Top-1 accuracy (%) of ctx.model on the training samples at these 1-based positions.") { call in
      let box = try call.object(1, unlearningContextClass)
      call.push(try box.context.accuracy(try positions(try call.integers(2), argument: 2, box)))
      return 1
    }
    r.method(unlearningContextClass, "train",
      "ctx:train\(ContextTrainOptions.optionSpecs().luaSignature) -> {steps, loss}",
      "Trains ctx.model with Core's loop on training samples (indices, 1-based) or a dataset (data); loss(model, "
        + "x, y) replaces the cross-entropy; SGD or Adam, gradient clipping; lr, batch_size, weight_decay, momentum "
        + "default to M0's. A non-finite loss or gradient is an error naming the step (and the parameter).") {
      call in
      let box = try call.object(1, unlearningContextClass)
      try call.table(2)
      let o = try LuaConfigReader.read(call, 2, base: ContextTrainOptions())
      let data = try call.field(2, "data") { try call.dataset($0) }
      guard o.indices != nil || data != nil else {
        throw LuaError.argument(index: 2, message: "give indices (training positions) or data (a dataset)")
      }
      let count = data?.sampleCount ?? box.context.request.train.sampleCount
      let indices = try o.indices.map { try positions($0, argument: 2, count: count) }
      let relabel = try call.field(2, "relabel") { try relabelling(call, $0, sampleCount: count) } ?? [:]
      var loss: ((Module, Batch) throws -> Variable)?
      let top = lua_gettop(call.L)
      if call.pushField(2, "loss") == LUA_TFUNCTION {
        guard !o.ascend else { throw LuaError.argument(index: 2, message: "ascend applies to the cross-entropy; "
          + "with a loss function, return the negated loss instead") }
        loss = luaLoss(call, function: lua_gettop(call.L))
      }
      let seed = o.seed ?? (box.context.seed &+ UInt64(box.trainCalls))
      box.trainCalls += 1
      let summary: LearnerTrainer.Summary
      do {
        summary = try box.context.train(
          indices: indices, source: data, epochs: o.epochs, learningRate: o.learningRate, batchSize: o.batchSize,
          weightDecay: o.weightDecay, momentum: o.momentum, relabel: relabel, ascend: o.ascend,
          optimizer: o.optimizer, clipGradientNorm: o.clipGradientNorm, seed: seed, loss: loss)
      } catch MethodError.failed(_, let message) {
        throw BindingError("method '\(box.method)': ctx:train: \(message)")
      }
      lua_settop(call.L, top)  // the loss function, kept on the stack while training
      lua_createtable(call.L, 0, 2)
      call.setField("steps") { call.push(summary.steps) }
      call.setField("loss") { call.push(summary.lastEpochLoss) }
      return 1
    }
    r.method(unlearningContextClass, "fresh_model", "ctx:fresh_model([seed]) -> Module",
      "A freshly initialised model of M0's architecture (an incompetent teacher); the seed defaults to one derived "
        + "from the run's, so it differs from M0's initialisation (ctx.initial).") { call in
      let box = try call.object(1, unlearningContextClass)
      let seed = call.isNil(2) ? nil : UInt64(exactly: try call.integer(2))
      guard call.isNil(2) || seed != nil else { throw LuaError.argument(index: 2, message: "seed ≥ 0 expected") }
      try pushModule(call, try box.context.freshModel(seed: seed))
      return 1
    }
    r.method(unlearningContextClass, "artifact", "ctx:artifact(name) -> Tensor | string | nil",
      "What the method's prepare hooks stored under this name while M0 trained (a tensor, or a note).") { call in
      let box = try call.object(1, unlearningContextClass)
      let name = try call.string(2)
      if let v = box.context.artifacts.vector(method: box.method, name: name) {
        call.push(Tensor(shape: [v.count], storage: v))
      } else if let note = box.context.artifacts.notes[box.method]?[name] {
        call.push(note)
      } else {
        call.pushNil()
      }
      return 1
    }
    r.method(unlearningContextClass, "artifact_names", "ctx:artifact_names() -> {name, ...}",
      "The names the method's prepare hooks stored, sorted.") { call in
      let box = try call.object(1, unlearningContextClass)
      let a = box.context.artifacts
      let names = Set((a.vectors[box.method] ?? [:]).keys).union((a.notes[box.method] ?? [:]).keys)
      call.push(names.sorted())
      return 1
    }
    r.method(unlearningContextClass, "permutation", "ctx:permutation(n) -> {i, ...}",
      "A random permutation of 1..n from the context's seeded generator.") { call in
      let box = try call.object(1, unlearningContextClass)
      let n = try call.integer(2)
      guard n >= 0 else { throw LuaError.argument(index: 2, message: "n ≥ 0 expected") }
      // The Swift array, its 1-based copy and the Lua table's slots.
      try MemoryLimit.current.check(count: n, elementBytes: 32, for: "a permutation of \(n) positions")
      call.push(box.rng.permutation(n).map { $0 + 1 })
      return 1
    }
    r.method(unlearningContextClass, "randn", "ctx:randn(d1, d2, ... | {d1, ...}) -> Tensor",
      "Standard normal values from the context's seeded generator (the same every run of this seed).") { call in
      let box = try call.object(1, unlearningContextClass)
      let shape = try TensorLibrary.checkedShape(call, from: 2)
      call.push(Tensor.normal(shape, rng: &box.rng))
      return 1
    }
    r.method(unlearningContextClass, "random_int", "ctx:random_int(lo, hi) -> integer",
      "A uniform integer in [lo, hi] from the context's seeded generator.") { call in
      let box = try call.object(1, unlearningContextClass)
      let lo = try call.integer(2)
      let hi = try call.integer(3)
      // hi - lo + 1 must fit an Int (random_int(math.mininteger, math.maxinteger) would not).
      let (span, overflow) = hi.subtractingReportingOverflow(lo)
      guard hi >= lo, !overflow, span < Int.max else {
        throw LuaError.argument(index: 3, message: "lo ≤ hi with hi - lo < \(Int.max) expected")
      }
      call.push(lo + box.rng.nextInt(below: span + 1))
      return 1
    }
    r.metamethod(unlearningContextClass, "__index",
      "Fields: model, teacher, initial, data, forget, retained, validation, forgotten_classes, class_count, "
        + "sample_count, seed, method, options, recipe.") { call in
      let L = call.L
      if call.pushMethod(key: 2) {
        if lua_type(L, -1) != LUA_TNIL { return 1 }
        clua_pop(L, 1)
      }
      let box = try call.object(1, unlearningContextClass)
      let c = box.context
      switch try call.string(2) {
      case "forget": call.push(c.request.forget.map { $0 + 1 })
      case "retained": call.push(c.request.retained.map { $0 + 1 })
      case "validation": call.push(c.request.validation.map { $0 + 1 })
      case "forgotten_classes":
        if let classes = c.request.forgottenClasses() { call.push(classes) } else { call.pushNil() }
      case "class_count": call.push(c.model.classCount)
      case "sample_count": call.push(c.request.train.sampleCount)
      case "seed": call.push(Int(truncatingIfNeeded: c.seed))
      case "method": call.push(box.method)
      case "model": try pushModule(call, c.model)
      case "teacher": try pushModule(call, try box.teacherModel())
      case "initial": try pushModule(call, try box.initialModel())
      case "data":
        lua_createtable(L, 0, 6)
        for name in ["forget", "retained", "train", "validation"] {
          let view = try box.view(name)
          call.setField(name) { call.push(view, datasetClass) }
        }
        if let name = c.dataset?.name { call.setField("name") { call.push(name) } }
        lua_pushstring(L, "options")
        lua_createtable(L, 0, Int32(c.dataset?.options.count ?? 0))
        for (k, v) in (c.dataset?.options ?? [:]).sorted(by: { $0.key < $1.key }) {
          call.setField(k) { pushOption(call, v) }
        }
        lua_rawset(L, -3)
      case "options":
        lua_createtable(L, 0, Int32(c.options.values.count))
        for (k, v) in c.options.values.sorted(by: { $0.key < $1.key }) {
          call.setField(k) { pushOption(call, v) }
        }
      case "recipe":
        lua_createtable(L, 0, 5)
        call.setField("epochs") { call.push(c.recipe.epochs) }
        call.setField("batch_size") { call.push(c.recipe.batchSize) }
        call.setField("lr") { call.push(c.recipe.learningRate) }
        call.setField("momentum") { call.push(c.recipe.momentum) }
        call.setField("weight_decay") { call.push(c.recipe.weightDecay) }
      default: call.pushNil()
      }
      return 1
    }
    r.metamethod(unlearningContextClass, "__tostring", "A one-line description.") { call in
      let c = try call.object(1, unlearningContextClass).context
      call.push("UnlearningContext(\(c.request.forget.count) to forget of \(c.request.train.sampleCount), "
        + "\(c.model.classCount) classes)")
      return 1
    }
  }

  /// `{[position] = label}` at stack index `i` (read as a tree) as 0-based index → label;
  /// positions must lie in 1...sampleCount.
  static func relabelling(_ call: LuaCall, _ i: Int32, sampleCount n: Int) throws -> [Int: Int] {
    let entries: [(String, ConfigValue)]
    switch try LuaConfigReader.tree(call.L, i, path: "relabel") {
    case .list(let items): entries = items.enumerated().map { (String($0.offset + 1), $0.element) }
    case .table(let fields): entries = Array(fields)
    default: entries = []
    }
    var out: [Int: Int] = [:]
    for (key, value) in entries {
      guard let position = Int(key), case .number(let d) = value, let label = Int(exactly: d) else {
        throw LuaError.argument(index: i, message: "{[position] = label} with integers expected")
      }
      guard position >= 1, position <= n else {
        throw LuaError.argument(index: i, message: "relabelled position \(position) outside 1..\(n)")
      }
      out[position - 1] = label
    }
    return out
  }

  /// 1-based sample positions (argument `i`) as 0-based indices, checked against the training set.
  static func positions(_ list: [Int], argument i: Int32, _ box: LuaUnlearningContext) throws -> [Int] {
    try positions(list, argument: i, count: box.context.request.train.sampleCount)
  }

  /// 1-based positions (argument `i`) in a source of `count` samples as 0-based indices, checked.
  static func positions(_ list: [Int], argument i: Int32, count n: Int) throws -> [Int] {
    try list.map {
      guard $0 >= 1, $0 <= n else {
        throw LuaError.argument(index: i, message: "sample position \($0) outside 1..\(n)")
      }
      return $0 - 1
    }
  }

  /// Pushes a learner's module (nil for an ensemble, which Lua cannot hold as one model).
  static func pushModule(_ call: LuaCall, _ learner: Learner) throws {
    if let m = learner.singleModule { call.push(m, moduleClass) } else { call.pushNil() }
  }

  /// A batch loss that calls the Lua function at stack index `f` as f(model, x, y) and takes the
  /// one-element tensor it returns.
  static func luaLoss(_ call: LuaCall, function f: Int32) -> (Module, Batch) throws -> Variable {
    { module, batch in
      try call.callFunction(at: f, nargs: 3, nresults: 1) {
        call.push(module, moduleClass)
        call.push(batch.inputs)
        call.push(batch.labels)
      }
      defer { clua_pop(call.L, 1) }
      guard let t = LuaObjects.test(call.L, -1, tensorClass) else {
        throw BindingError("ctx:train: loss must return a tensor, got \(call.typeName(-1))")
      }
      return t
    }
  }
}
