import Core
import Methods

/// A schedule plus where its results, caches and report go: what `lethe.experiment.run{...}`
/// takes.
///
/// ```lua
/// lethe.experiment.run{
///   datasets = {"fashion-mnist"}, models = {"cnn"},
///   training = {epochs = 2, lr = 0.05},               -- or trainings = {{...}, {...}}
///   scenarios = {{"sample", fraction = 0.01}},
///   methods = {"retrain", "finetune", {"neggrad", lr = 0.01}},
///   seeds = {0},
///   results = "results/quickstart.jsonl", cache = ".lethe-cache", report = "results/quickstart",
///   metrics = {dist_output = "l2", retained_limit = 10000},
/// }
/// ```
/// Each axis entry is a name, or a table whose first entry (or `name` field) is the name and whose
/// other fields are options.
public struct ExperimentPlan: Sendable, Equatable {
  /// The runs.
  public var schedule: Schedule
  /// The JSON Lines results file (appended to; finished runs are skipped on a rerun).
  public var resultsPath: String
  /// The model cache folder.
  public var cacheDirectory: String
  /// Where the report goes after the sweep (nil: no report).
  public var reportDirectory: String?
  /// Metric variants.
  public var metrics: MetricOptions
  /// Options given in the `metrics` table, as written (recorded for reports).
  public var metricsGiven: [String: OptionValue]
  /// The methods whose `prepare` observes M0's training, when more than the schedule's (sweeps
  /// that share a cache, such as a survey profile's, name all their methods so that one M0
  /// serves them all); nil: the schedule's methods.
  public var scheduledMethods: [String]? = nil

  /// The keys a plan table accepts.
  public static let keys = [
    "datasets", "models", "pairs", "training", "trainings", "scenarios", "methods", "seeds", "results", "cache",
    "report", "metrics",
  ]

  /// A plan from a script's table; unknown keys, missing axes and bad values are errors that
  /// name the key.
  public static func from(_ value: ConfigValue) throws -> ExperimentPlan {
    // `{}` reads as an empty list: it is an empty schedule, whose first missing key is named.
    if case .list(let items) = value, items.isEmpty { return try from(.table([:])) }
    guard case .table(let t) = value else {
      throw ExperimentError.invalidSchedule("a schedule is a table, got a \(value.kindName)")
    }
    if let bad = t.keys.sorted().first(where: { !keys.contains($0) }) {
      throw ExperimentError.unknownName(kind: "schedule key", name: bad, valid: keys)
    }
    func specs(_ key: String, required: Bool = true) throws -> [NamedSpec] {
      guard let v = t[key] else {
        if required { throw ExperimentError.invalidSchedule("'\(key)' is missing") }
        return []
      }
      guard case .list(let items) = v else {
        throw ExperimentError.invalidSchedule("'\(key)' must be a list, got a \(v.kindName)")
      }
      return try items.enumerated().map { try spec($1, "\(key)[\($0 + 1)]") }
    }
    var trainings = try specs("trainings", required: false)
    if let single = t["training"] {
      guard trainings.isEmpty else {
        throw ExperimentError.invalidSchedule("give either 'training' or 'trainings', not both")
      }
      guard case .table(let fields) = single else {
        throw ExperimentError.invalidSchedule("'training' must be a table, got a \(single.kindName)")
      }
      var withName = fields
      if withName["name"] == nil && withName["1"] == nil { withName["name"] = .string("default") }
      trainings = [try spec(.table(withName), "training")]
    }
    if trainings.isEmpty { trainings = [NamedSpec("default")] }
    var seeds: [UInt64] = [0]
    if let s = t["seeds"] {
      guard case .list(let items) = s, !items.isEmpty else {
        throw ExperimentError.invalidSchedule("'seeds' must be a non-empty list of whole numbers")
      }
      seeds = try items.map {
        guard case .number(let d) = $0, d >= 0, d.rounded() == d, d < 1.8e19 else {
          throw ExperimentError.invalidSchedule("seeds must be whole numbers ≥ 0")
        }
        return UInt64(d)
      }
    }
    var metricsGiven: [String: OptionValue] = [:]
    if let m = t["metrics"] {
      guard case .table(let fields) = m else {
        throw ExperimentError.invalidSchedule("'metrics' must be a table, got a \(m.kindName)")
      }
      for (k, v) in fields {
        guard let o = v.optionValue else { throw ExperimentError.invalidSchedule("metrics.\(k) must be a scalar") }
        metricsGiven[k] = o
      }
    }
    var schedule: Schedule
    if let p = t["pairs"] {
      guard t["datasets"] == nil, t["models"] == nil else {
        throw ExperimentError.invalidSchedule("give either 'pairs' or 'datasets' and 'models', not both")
      }
      schedule = Schedule(
        pairs: try pairs(p), trainings: trainings, scenarios: try specs("scenarios"), methods: try specs("methods"),
        seeds: seeds)
    } else {
      schedule = Schedule(
        datasets: try specs("datasets"), models: try specs("models"), trainings: trainings,
        scenarios: try specs("scenarios"), methods: try specs("methods"), seeds: seeds)
    }
    return ExperimentPlan(
      schedule: schedule,
      resultsPath: try string(t, "results") ?? "results/results.jsonl",
      cacheDirectory: try string(t, "cache") ?? ".lethe-cache",
      reportDirectory: try string(t, "report"),
      metrics: try MetricOptions.from(metricsGiven), metricsGiven: metricsGiven)
  }

  /// `pairs = {{"mnist", "cnn"}, {{"cifar10", subset = 5000}, "resnet18"}}`: each entry a list of a
  /// dataset spec and a model spec.
  static func pairs(_ v: ConfigValue) throws -> [Schedule.Pair] {
    guard case .list(let items) = v, !items.isEmpty else {
      throw ExperimentError.invalidSchedule("'pairs' must be a non-empty list of {dataset, model} pairs")
    }
    return try items.enumerated().map { i, item in
      let entries: [ConfigValue]
      switch item {
      case .list(let l): entries = l
      case .table(let t) where t.keys.sorted() == ["1", "2"]: entries = [t["1"]!, t["2"]!]
      default: entries = []
      }
      guard entries.count == 2 else {
        throw ExperimentError.invalidSchedule("pairs[\(i + 1)] must be {dataset, model}, e.g. {\"mnist\", \"cnn\"}")
      }
      return Schedule.Pair(try spec(entries[0], "pairs[\(i + 1)][1]"), try spec(entries[1], "pairs[\(i + 1)][2]"))
    }
  }

  /// A `NamedSpec` from `"name"`, `{"name", opt = v}` or `{name = "name", opt = v}`.
  static func spec(_ v: ConfigValue, _ where_: String) throws -> NamedSpec {
    switch v {
    case .string(let s):
      return NamedSpec(s)
    case .list(let items):
      guard items.count == 1, case .string(let s) = items[0] else {
        throw ExperimentError.invalidSchedule("\(where_) must be a name or a table with a name")
      }
      return NamedSpec(s)
    case .table(var fields):
      guard case .string(let name) = fields.removeValue(forKey: "name") ?? fields.removeValue(forKey: "1") else {
        throw ExperimentError.invalidSchedule("\(where_) has no name (write {\"name\", option = value})")
      }
      var options: [String: OptionValue] = [:]
      for (k, value) in fields {
        guard let o = value.optionValue else {
          throw ExperimentError.invalidSchedule("\(where_).\(k) must be a number, string or boolean")
        }
        options[k] = o
      }
      return NamedSpec(name, options)
    default:
      throw ExperimentError.invalidSchedule("\(where_) must be a name or a table, got a \(v.kindName)")
    }
  }

  private static func string(_ t: [String: ConfigValue], _ key: String) throws -> String? {
    guard let v = t[key] else { return nil }
    guard case .string(let s) = v, !s.isEmpty else {
      throw ExperimentError.invalidSchedule("'\(key)' must be a non-empty string (a path)")
    }
    return s
  }
}
