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
      "SGD on ctx.model over training samples (1-based positions); relabel {[position] = label} replaces "
        + "labels; ascend climbs the loss; lr, batch_size, weight_decay default to M0's.") {
      call in
      let box = try call.object(1, unlearningContextClass)
      try call.table(2)
      let o = try LuaConfigReader.read(call, 2, base: ContextTrainOptions())
      let indices = try positions(o.indices ?? [], argument: 2, box)
      let n = box.context.request.train.sampleCount
      let relabel = try call.field(2, "relabel") { try relabelling(call, $0, sampleCount: n) } ?? [:]
      let summary = try box.context.train(
        indices: indices, epochs: o.epochs, learningRate: o.learningRate, batchSize: o.batchSize,
        weightDecay: o.weightDecay, relabel: relabel, ascend: o.ascend)
      lua_createtable(call.L, 0, 2)
      call.setField("steps") { call.push(summary.steps) }
      call.setField("loss") { call.push(summary.lastEpochLoss) }
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
      "Fields: model, forget, retained, class_count, sample_count, seed, options, recipe.") { call in
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
      case "class_count": call.push(c.model.classCount)
      case "sample_count": call.push(c.request.train.sampleCount)
      case "seed": call.push(Int(truncatingIfNeeded: c.seed))
      case "model":
        if let m = c.model.singleModule { call.push(m, moduleClass) } else { call.pushNil() }
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

  /// 1-based sample positions (argument `i`) as 0-based indices, checked.
  static func positions(_ list: [Int], argument i: Int32, _ box: LuaUnlearningContext) throws -> [Int] {
    let n = box.context.request.train.sampleCount
    return try list.map {
      guard $0 >= 1, $0 <= n else {
        throw LuaError.argument(index: i, message: "sample position \($0) outside 1..\(n)")
      }
      return $0 - 1
    }
  }
}
