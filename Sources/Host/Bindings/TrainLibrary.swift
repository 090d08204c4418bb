import CLua
import Core

/// `lethe.nn.fit`, `lethe.nn.evaluate` and `m:accuracy`: Core's training loop and evaluation.
enum TrainLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.function(
      "nn", "fit",
      "fit(model, optimizer, dataset, \(FitOptions.optionSpecs().luaSignature)) -> report",
      "Trains with Core's loop (Ctrl-C stops it at the next batch; loss replaces cross-entropy); "
        + "returns {steps, seconds, stop, epochs = {...}}."
    ) { call in
      let model = try call.module(1)
      let optimizer = try call.object(2, optimizerClass).optimizer
      let data = try call.dataset(3)
      let options = try LuaConfigReader.read(call, 4, base: FitOptions())
      var config = options.training
      config.seed = options.seed ?? call.context.seed
      config.progress = options.progress ?? (call.context.quiet ? .silent : .automatic)
      if let schedule = try call.field(4, "schedule", { try readSchedule(call, $0) }) {
        config.schedule = schedule
      }
      let evaluation = try call.field(4, "eval") { try call.dataset($0) }
      let trainer = Trainer(model: model, optimizer: optimizer, config: config)
      trainer.isCancelled = { LuaContext.interrupted }
      let L = call.L
      if call.pushField(4, "after_step") == LUA_TFUNCTION {
        let f = lua_gettop(L)
        trainer.afterStep = { info in
          try call.callFunction(at: f, nargs: 1, nresults: 0) { pushStep(call, info) }
        }
      }
      if call.pushField(4, "after_epoch") == LUA_TFUNCTION {
        let f = lua_gettop(L)
        trainer.afterEpoch = { info in
          try call.callFunction(at: f, nargs: 1, nresults: 0) { pushEpoch(call, info) }
        }
      }
      if call.pushField(4, "before_update") == LUA_TFUNCTION {
        let f = lua_gettop(L)
        trainer.beforeUpdate = { info in
          try call.callFunction(at: f, nargs: 1, nresults: 0) { pushStep(call, info) }
        }
      }
      if call.pushField(4, "loss") == LUA_TFUNCTION {
        let f = lua_gettop(L)
        trainer.loss = { logits, labels in
          try call.callFunction(at: f, nargs: 2, nresults: 1) {
            call.push(logits)
            call.push(labels)
          }
          defer { clua_pop(L, 1) }
          guard let value = LuaObjects.test(L, -1, tensorClass) else {
            throw BindingError("fit: the loss function must return a lethe.Tensor, got \(call.typeName(-1))")
          }
          return value
        }
      }
      let report = try trainer.fit(on: data, evaluateOn: evaluation)
      lua_createtable(L, 0, 4)
      call.setField("steps") { call.push(report.steps) }
      call.setField("seconds") { call.push(report.seconds) }
      call.setField("stop") { call.push(report.stopReason.rawValue) }
      lua_pushstring(L, "epochs")
      lua_createtable(L, Int32(report.epochs.count), 0)
      for (k, e) in report.epochs.enumerated() {
        pushEpoch(call, e)
        lua_rawseti(L, -2, lua_Integer(k + 1))
      }
      lua_rawset(L, -3)
      return 1
    }
    r.function(
      "nn", "evaluate", "evaluate(model, dataset [, batch_size = 256]) -> {accuracy, loss}",
      "Accuracy (percent) and mean cross-entropy in evaluation mode, without gradients."
    ) { call in
      let m = try call.module(1)
      let d = try call.dataset(2)
      let bs = try call.integer(3, default: 256)
      let acc = try Evaluation.accuracy(of: m, on: d, batchSize: bs)
      let loss = try Evaluation.meanLoss(of: m, on: d, batchSize: bs)
      lua_createtable(call.L, 0, 2)
      call.setField("accuracy") { call.push(acc) }
      call.setField("loss") { call.push(loss) }
      return 1
    }
    r.function(
      "metrics", "accuracy", "accuracy(model, dataset [, batch_size = 256]) -> percent",
      "ACC on a dataset: top-1 accuracy in percent, 0-100 (evaluation mode, no gradients).",
      Self.accuracy)
    r.method(
      moduleClass, "accuracy", "m:accuracy(dataset [, batch_size = 256]) -> percent",
      "Top-1 accuracy in percent, 0-100 (evaluation mode, no gradients).",
      Self.accuracy)
    r.method(
      moduleClass, "predict", "m:predict(dataset [, batch_size = 256]) -> {c1, ...}",
      "Predicted 0-based classes for every sample (evaluation mode, no gradients)."
    ) { call in
      call.push(
        try Evaluation.predictions(
          of: try call.module(1), on: try call.dataset(2), batchSize: try call.integer(3, default: 256)))
      return 1
    }
  }

  /// `accuracy(model, dataset [, batch_size])`, shared by `lethe.metrics.accuracy` and `m:accuracy`.
  static func accuracy(_ call: LuaCall) throws -> Int32 {
    call.push(
      try Evaluation.accuracy(
        of: try call.module(1), on: try call.dataset(2), batchSize: try call.integer(3, default: 256)))
    return 1
  }

  /// A schedule table at `i`: `{kind = 'step', every, gamma}`, `{kind = 'cosine', period, min = 0}`,
  /// `{kind = 'warmup', steps, after = schedule}` or `{kind = 'constant'}` (Core's `LRScheduleOptions`).
  static func readSchedule(_ call: LuaCall, _ i: Int32, depth: Int = 0) throws -> LRSchedule {
    guard call.type(i) == LUA_TTABLE else { throw call.typeError(i, expected: "table") }
    // `after` nests schedules: bound the depth, so that a table that contains itself ends here.
    guard depth < LuaConfigReader.maximumDepth else {
      throw LuaError.argument(index: i, message: "schedules nested more than \(LuaConfigReader.maximumDepth) deep")
    }
    let kind = try LuaConfigReader.peek(call, i, LRScheduleOptions.kindOption).kind
    var options = try LuaConfigReader.read(call, i, options: LRScheduleOptions.options(for: kind))
    if let after = try call.field(i, "after", { try readSchedule(call, $0, depth: depth + 1) }) {
      options.after = after
    }
    do {
      return try options.schedule()
    } catch {
      throw LuaError.argument(index: i, message: "\(error)")
    }
  }

  static func pushStep(_ call: LuaCall, _ info: StepInfo) {
    lua_createtable(call.L, 0, 5)
    call.setField("epoch") { call.push(info.epoch + 1) }
    call.setField("step") { call.push(info.step + 1) }
    call.setField("global_step") { call.push(info.globalStep + 1) }
    call.setField("loss") { call.push(info.loss) }
    call.setField("lr") { call.push(info.learningRate) }
  }

  static func pushEpoch(_ call: LuaCall, _ e: EpochInfo) {
    lua_createtable(call.L, 0, 6)
    call.setField("epoch") { call.push(e.epoch + 1) }
    call.setField("steps") { call.push(e.steps) }
    call.setField("loss") { call.push(e.meanLoss) }
    call.setField("train_accuracy") { call.push(e.trainAccuracy) }
    if let a = e.evaluationAccuracy { call.setField("eval_accuracy") { call.push(a) } }
    call.setField("seconds") { call.push(e.seconds) }
    call.setField("lr") { call.push(e.learningRate) }
  }
}
