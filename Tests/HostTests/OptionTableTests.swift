import Core
import Methods
import XCTest

@testable import Host

/// Every options table Lua reaches goes through `LuaConfigReader`: an unknown name is an error
/// listing the valid ones (in the configuration's order), a wrong type names the option, a
/// missing required option says so, and malformed tables (cycles, deep nesting) fail cleanly.
final class OptionTableTests: XCTestCase {
  static let setup = """
    m = lethe.nn.mlp{input = {4}, classes = 2, hidden = 8}
    ds = lethe.data.from_tensors(lethe.tensor.randn(8, 4), {0, 1, 0, 1, 0, 1, 0, 1})
    opt = lethe.optim.sgd(m, {lr = 0.1})
    """

  /// (a call whose options table has an unknown name, that name, the valid names the error lists).
  static let unknownOptionCases: [(String, String, String)] = [
    ("lethe.nn.fit(m, opt, ds, {epoch = 3})", "epoch",
     "epochs, batch_size, seed, shuffle, drop_last, time_budget, clip_grad_norm, progress, schedule_unit, schedule, eval, "
       + "after_step, before_update, after_epoch, loss"),
    ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'constant', bogus = 1}})", "bogus",
     "kind"),
    ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'step', bogus = 1}})", "bogus",
     "kind, every, gamma"),
    ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'cosine', every = 2}})", "every",
     "kind, period, min"),
    ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'warmup', bogus = 1}})", "bogus",
     "kind, steps, after"),
    ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'warmup', after = {kind = 'step', bogus = 1}}})", "bogus",
     "kind, every, gamma"),
    ("lethe.optim.sgd(m, {lr = 0.1, momentom = 0.9})", "momentom",
     "lr, momentum, dampening, weight_decay, nesterov"),
    ("lethe.optim.adam(m, {bogus = 1})", "bogus",
     "lr, beta1, beta2, eps, weight_decay"),
    ("lethe.optim.adamw(m, {bogus = 1})", "bogus",
     "lr, beta1, beta2, eps, weight_decay"),
    ("lethe.data.load('purchase-synthetic', {bogus = 1})", "bogus",
     "normalize, cache, image_size, test_fraction, classes, train_count, test_count, seed"),
    ("ds:batches(2, {bogus = 1})", "bogus",
     "shuffle, seed, drop_last"),
    ("lethe.data.scenario(ds, ds, {kind = 'sample', labels = {1}})", "labels",
     "kind, seed, name, fraction"),
    ("lethe.data.scenario(ds, ds, {kind = 'label', labels = {0}, fraction = 0.1})", "fraction",
     "kind, seed, name, labels"),
    ("lethe.data.scenario(ds, ds, {kind = 'random_labels', bogus = 1})", "bogus",
     "kind, seed, name, count"),
    ("lethe.data.scenario(ds, ds, {kind = 'label_count', bogus = 1})", "bogus",
     "kind, seed, name, keep, labels"),
    ("lethe.nn.cnn{input = {1, 28, 28}, classes = 10, bogus = 1}", "bogus",
     "input, classes, seed, dropout1, dropout2, hidden, activation, stem"),
    ("lethe.nn.mlp{input = {4}, classes = 2, bogus = 1}", "bogus",
     "input, classes, seed, dropout1, dropout2, hidden, activation, stem"),
    ("lethe.nn.resnet18{input = {3, 32, 32}, classes = 10, bogus = 1}", "bogus",
     "input, classes, seed, dropout1, dropout2, hidden, activation, stem"),
    ("lethe.nn.model('mlp', {input = {4}, classes = 2, bogus = 1})", "bogus",
     "input, classes, seed, dropout1, dropout2, hidden, activation, stem"),
    ("lethe.nn.Linear(2, 2, {bogus = 1})", "bogus",
     "bias"),
    ("lethe.nn.Conv2d(1, 1, 3, {bogus = 1})", "bogus",
     "stride, padding, bias"),
    ("lethe.nn.conv2d(lethe.tensor.ones(1, 1, 3, 3), lethe.tensor.ones(1, 1, 3, 3), nil, {bias = true})", "bias",
     "stride, padding"),
    ("lethe.tensor.new({1, 2}, {requires_gradient = true})", "requires_gradient",
     "requires_grad"),
    ("lethe.metrics.mia(m, ds, ds, ds, {bogus = 1})", "bogus",
     "feature, classifier, folds, seed"),
    ("lethe.method{name = 'x', unlearn = function() end, sumary = 'typo'}", "sumary",
     "name, summary, options, prepare, unlearn"),
  ]

  func testEveryOptionsTableRejectsUnknownNamesListingTheValidOnes() throws {
    let lua = try CapturedVM()
    try lua.vm.run(Self.setup)
    for (code, name, valid) in Self.unknownOptionCases {
      let error = lua.errorLine(of: code) ?? "no error"
      XCTAssertTrue(error.contains("unknown option '\(name)'; valid options: \(valid))"), "\(code): \(error)")
      XCTAssertTrue(error.hasPrefix("test:1: bad argument #"), "\(code): \(error)")
    }
  }

  func testWrongTypesAndMissingOptionsNameTheOption() throws {
    let lua = try CapturedVM()
    try lua.vm.run(Self.setup)
    let cases: [(String, String)] = [
      ("lethe.nn.fit(m, opt, ds, {epochs = 'two'})", "(field 'epochs': number expected, got string)"),
      ("lethe.nn.fit(m, opt, ds, {epochs = 1.5})", "(field 'epochs': number has no integer representation)"),
      ("lethe.nn.fit(m, opt, ds, {shuffle = 1})", "(field 'shuffle': boolean expected, got number)"),
      ("lethe.nn.fit(m, opt, ds, {progress = 'loud'})",
       "(field 'progress': must be one of 'auto', 'lines', 'silent', got 'loud')"),
      ("lethe.nn.fit(m, opt, ds, {eval = 3})", "(field 'eval': object expected, got number)"),
      ("lethe.nn.fit(m, opt, ds, {eval = m})", "(field 'eval': lethe.Dataset expected, got lethe.Module)"),
      ("lethe.nn.fit(m, opt, ds, {after_step = 'f'})", "(field 'after_step': function expected, got string)"),
      ("lethe.nn.fit(m, opt, ds, {seed = -1})", "(field 'seed': must be a whole number ≥ 0, got -1)"),
      ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'linear'}})",
       "(field 'schedule': field 'kind': must be one of 'constant', 'step', 'cosine', 'warmup', got 'linear')"),
      ("lethe.nn.fit(m, opt, ds, {schedule = {kind = 'step', every = 0}})", "field 'schedule':"),
      ("lethe.nn.fit(m, opt, ds, {1, 2})", "options are named, found a number key; valid options: epochs"),
      ("lethe.nn.fit(m, opt, ds, 5)", "(table expected, got number)"),
      ("lethe.optim.sgd(m, {})", "(field 'lr' is required)"),
      ("lethe.nn.cnn{classes = 2}", "(field 'input' is required)"),
      ("lethe.nn.mlp{input = {4}, classes = 2, activation = 'gelu'}",
       "(field 'activation': must be one of 'relu', 'tanh', got 'gelu')"),
      ("lethe.nn.mlp{input = {4}, classes = 2, hidden = {8, 'x'}}",
       "(field 'hidden': integer expected at position 2)"),
      ("lethe.data.scenario(ds, ds, {kind = 'label'})", "(field 'labels' is required)"),
      ("lethe.data.load('purchase-synthetic', {normalize = 'yes'})", "(field 'normalize': boolean expected, got string)"),
      ("lethe.method{name = 'x'}", "(field 'unlearn' is required)"),
      ("lethe.method{name = 'x', unlearn = 3}", "(field 'unlearn': function expected, got number)"),
      ("lethe.method{name = 'x', unlearn = function() end, options = {{'a'}}}",
       "lethe.method 'x': option 'a': a number, string or boolean default expected"),
    ]
    for (code, expected) in cases {
      let error = lua.errorLine(of: code) ?? "no error"
      XCTAssertTrue(error.contains(expected), "\(code): \(error)")
    }
  }

  /// One default per option: fit's epochs and batch size come from Core's `TrainingConfig`.
  func testDefaultsComeFromTheConfiguration() throws {
    let lua = try CapturedVM()
    try lua.vm.run(Self.setup)
    let steps = try lua.vm.run("return lethe.nn.fit(m, opt, ds, {progress = 'silent'}).steps")
    let config = TrainingConfig()
    XCTAssertEqual(steps, ["\(config.epochs * ((8 + config.batchSize - 1) / config.batchSize))"])
    let doc = try lua.vm.run("return lethe.doc(lethe.nn.fit)")[0]
    XCTAssertTrue(doc.contains("epochs = \(config.epochs), batch_size = \(config.batchSize)"), doc)
  }

  /// `ctx:train` and the hooks a Lua `prepare` returns are options tables too.
  func testMethodTablesRejectUnknownNames() throws {
    let context = LuaContext(seed: 0)
    context.quiet = true
    let vm = try LuaVM(scriptName: "test", context: context)
    defer { vm.close() }
    try vm.run(
      """
      lethe.method{name = "options_probe_train", unlearn = function(ctx)
        local ok, err = pcall(ctx.train, ctx, {indices = {1}, epoch = 2})
        return {error = err}
      end}
      lethe.method{name = "options_probe_hooks", unlearn = function(ctx) end,
        prepare = function(opts) return {steps = function() end} end}
      """)
    let model = try Models.make("mlp", inputShape: [4], classes: 2, seed: 1)
    let learner = ModuleLearner(model, classCount: 2)
    let train = try Dataset(name: "toy", inputs: Tensor(repeating: 1, shape: [4, 4]), labels: [0, 1, 0, 1], classCount: 2)
    let unlearn = try MethodRegistry.shared.method(named: "options_probe_train").unlearn(
      UnlearningContext(
        model: learner, request: try ForgetRequest(train: train, forget: [0]), options: MethodOptions(),
        recipe: TrainingRecipe(), initialState: learner.stateVector()))
    XCTAssertTrue(
      unlearn.notes["error"]?.contains(
        "unknown option 'epoch'; valid options: indices, data, epochs, lr, batch_size, weight_decay, momentum, "
          + "optimizer, clip_grad_norm, seed, relabel, ascend, loss")
        ?? false, "\(unlearn.notes)")
    XCTAssertThrowsError(try MethodRegistry.shared.method(named: "options_probe_hooks").prepare(options: MethodOptions())) {
      XCTAssertTrue(
        "\($0)".contains("unknown option 'steps'; valid options: change, start, step, epoch, loss"), "\($0)")
    }
  }

  /// Tables that contain themselves, or nest deeper than the reader allows, fail with a message
  /// (no stack overflow), and a table built to exhaust the Lua stack is refused.
  func testCyclesAndDeepNestingFailCleanly() throws {
    let lua = try CapturedVM()
    let cycle = lua.errorLine(of: "local t = {}; t.datasets = {t}; lethe.experiment.run(t)") ?? "no error"
    XCTAssertTrue(cycle.contains("schedule.datasets[1]: a table that contains itself"), cycle)
    let deep = lua.errorLine(
      of: "local t = {}; local c = t; for i = 1, 100000 do c.x = {}; c = c.x end; lethe.experiment.run(t)")
      ?? "no error"
    XCTAssertTrue(deep.contains("tables nested more than \(LuaConfigReader.maximumDepth) deep"), deep)
    // Nested numbers: a table that contains itself, and a tensor of high rank back to tables.
    let selfNested = lua.errorLine(of: "local t = {}; t[1] = t; lethe.tensor.new(t)") ?? "no error"
    XCTAssertTrue(selfNested.contains("tables nested more than \(LuaConfigReader.maximumDepth) deep"), selfNested)
    // The issue's 200-dimensional tensor cannot be made (64 at most, as in PyTorch); 64 convert.
    XCTAssertEqual(
      try lua.vm.run("local s = {}; for i = 1, 64 do s[i] = 1 end; return #lethe.tensor.ones(1):reshape(s):totable()"),
      ["1"])
    let rank200 = lua.errorLine(of: "local s = {}; for i = 1, 200 do s[i] = 1 end; lethe.tensor.ones(1):reshape(s)")
    XCTAssertEqual(rank200, "test:1: invalid shape: 200 dimensions; a tensor has at most 64")
    // Options tables nest too: a warm-up schedule whose `after` is itself.
    try lua.vm.run(Self.setup)
    let selfAfter = lua.errorLine(
      of: "local s = {kind = 'warmup'}; s.after = s; lethe.nn.fit(m, opt, ds, {schedule = s})") ?? "no error"
    XCTAssertTrue(selfAfter.contains("schedules nested more than \(LuaConfigReader.maximumDepth) deep"), selfAfter)
  }
}
