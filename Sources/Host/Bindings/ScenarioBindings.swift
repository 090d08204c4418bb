import CLua
import Core

/// A forget scenario with the train and test sets it was built from.
public final class ScenarioRef {
  /// The scenario.
  public let scenario: ForgetScenario
  let train: any LabeledSource
  let test: any LabeledSource

  init(_ scenario: ForgetScenario, train: any LabeledSource, test: any LabeledSource) {
    self.scenario = scenario
    self.train = train
    self.test = test
  }
}

/// The Lua class of forget scenarios.
public let scenarioClass = LuaClass<ScenarioRef>(
  name: "lethe.Scenario", doc: "A forget request: which training samples (or labels) to forget, seeded.")

/// `lethe.data.load`, `lethe.data.list`, `lethe.data.scenario` and the scenario class.
enum ScenarioBindings {
  /// "fashion-mnist train" -> "fashion-mnist".
  static func datasetName(_ name: String) -> String {
    name.hasSuffix(" train") ? String(name.dropLast(6)) : name
  }

  static func register(into r: inout LuaRegistry) {
    r.function(
      "data", "load",
      "load(name [, \(LoadOptions.optionSpecs().luaSignature)]) -> train, test",
      "Loads a known dataset (see lethe.data.list() or `lethe data`) as train and test datasets."
    ) { call in
      let name = try call.string(1)
      let options = try LuaConfigReader.read(call, 2, base: LoadOptions())
      let splits = try DatasetCatalog().load(name, options: options)
      call.push(DatasetRef(splits.train, name: "\(name) train"), datasetClass)
      call.push(DatasetRef(splits.test, name: "\(name) test"), datasetClass)
      return 2
    }
    r.function("data", "list", "list() -> rows", "Every known dataset: whether it is present, and where.") {
      call in
      let rows: [[(String, RowValue)]] = DatasetCatalog().list().map { a in
        [
          ("name", .text(a.name)), ("present", .text(a.isPresent ? "yes" : "no")),
          ("where", .text(a.location ?? a.howToGet)),
        ]
      }
      Rows.push(call, rows, columns: ["name", "present", "where"])
      return 1
    }
    r.function(
      "data", "scenario",
      "scenario(train, test, \(ScenarioOptions.optionSpecs().luaSignature))",
      "A seeded forget scenario over train/test: sample (fraction), label (labels), "
        + "random_labels (count), label_count (keep)."
    ) { call in
      let train = try call.dataset(1)
      let test = try call.dataset(2)
      try call.table(3)
      let kind = try LuaConfigReader.peek(call, 3, ScenarioOptions.kindOption).kind
      let options = try LuaConfigReader.read(call, 3, options: ScenarioOptions.options(for: kind))
      let scenario = try options.scenario(
        train: train, test: test, dataset: datasetName(try call.object(1, datasetClass).name))
      call.push(ScenarioRef(scenario, train: train, test: test), scenarioClass)
      return 1
    }
    r.declare(scenarioClass)
    r.metamethod(scenarioClass, "__tostring", "The scenario's summary.") { call in
      call.push("lethe.Scenario(\(try call.object(1, scenarioClass).scenario.summary))")
      return 1
    }
    r.method(
      scenarioClass, "views", "sc:views() -> {retain, forget, test_retain, test_forget, train, test}",
      "The scenario's datasets (views sharing storage with train and test)."
    ) { call in
      let s = try call.object(1, scenarioClass)
      let v = try s.scenario.views(train: s.train, test: s.test)
      lua_createtable(call.L, 0, 6)
      for (key, view) in [
        ("retain", v.retain), ("forget", v.forget), ("test_retain", v.testRetain),
        ("test_forget", v.testForget), ("train", v.train), ("test", v.test),
      ] {
        call.setField(key) { call.push(DatasetRef(view, name: view.name), datasetClass) }
      }
      return 1
    }
    r.method(
      scenarioClass, "forget_positions", "sc:forget_positions() -> {i1, ...}",
      "1-based positions of the forgotten training samples."
    ) { call in
      call.push(try call.object(1, scenarioClass).scenario.forgetIndices.map { $0 + 1 })
      return 1
    }
    r.method(
      scenarioClass, "digest", "sc:digest() -> string", "The scenario's digest (identifies it in results)."
    ) {
      call in
      call.push(try call.object(1, scenarioClass).scenario.digest)
      return 1
    }
  }
}
