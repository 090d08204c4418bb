import ArgumentParser
import CLua
import Experiments
import Foundation
import enum Core.Runtime

/// `lethe try METHOD`: one method once on one (dataset, model, training, scenario, seed), with M0
/// and M_retrain from the model cache, printing the metrics row. METHOD is a registered name or
/// a Lua method file, loaded as the methods path loads its files.
struct TryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "try",
    abstract: "Run one method once and print its metrics row (M0 and M_retrain come from the cache).",
    discussion: """
      Example: lethe try scripts/lua/methods/ssd.lua --scenario sample:0.01 --epochs 3 --option alpha=10
      The scenario is KIND[:VALUE], VALUE being sample's fraction, label's count or label_count's classes;
      other options go in --scenario-option. The run's seed is --seed (default 0).
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "A registered method name, or a Lua file that defines methods.")
  var method: String

  @Option(name: .customLong("method"), help: "Which method of the file to run, when it defines several.")
  var methodName: String?

  @Option(help: "The dataset (see `lethe data`).")
  var dataset = "fashion-mnist"

  @Option(name: .customLong("dataset-option"), help: "A dataset load option k=v (repeatable).")
  var datasetOptions: [String] = []

  @Option(help: "The model (cnn, mlp, resnet18).")
  var model = "cnn"

  @Option(name: .customLong("model-option"), help: "A model option k=v (repeatable).")
  var modelOptions: [String] = []

  @Option(help: "The scenario: KIND[:VALUE], e.g. sample:0.01, label:1, label_count:5.")
  var scenario = "sample:0.01"

  @Option(name: .customLong("scenario-option"), help: "A scenario option k=v (repeatable).")
  var scenarioOptions: [String] = []

  @Option(help: "M0's training epochs (the training configuration's default when omitted).")
  var epochs: Int?

  @Option(name: .customLong("training"), help: "A training option k=v for M0 and M_retrain (repeatable).")
  var trainingOptions: [String] = []

  @Option(name: .customLong("option"), help: "A method option k=v (repeatable).")
  var options: [String] = []

  @Option(help: "The model cache folder.")
  var cache = ".lethe-cache"

  @Option(help: "A results file to append the record to (none by default).")
  var results: String?

  @Option(name: .customLong("metric"), help: "A metric option k=v, e.g. retained_limit=10000 (repeatable).")
  var metrics: [String] = []

  func run() throws {
    let vm = try LuaVM(scriptName: "lethe", context: global.makeContext())
    defer { vm.close() }
    let name = try methodToRun(vm)
    var table: [String: ConfigValue] = [
      "method": try spec(name, options, "--option"),
      "dataset": try spec(dataset, datasetOptions, "--dataset-option"),
      "model": try spec(model, modelOptions, "--model-option"),
      "scenario": try scenarioSpec(),
      "seed": .number(Double(global.seed ?? 0)),
      "cache": .string(cache),
    ]
    var training = try pairs(trainingOptions, "--training")
    if let epochs { training["epochs"] = .number(Double(epochs)) }
    if !training.isEmpty { table["training"] = .table(training) }
    if !metrics.isEmpty { table["metrics"] = .table(try pairs(metrics, "--metric")) }
    if let results { table["results"] = .string(results) }
    let (plan, resultsPath) = try SingleRun.plan(from: .table(table))
    let quiet = global.quiet
    clua_install_sigint(vm.L)
    defer { clua_restore_sigint() }
    let record = try SingleRun.run(
      plan, resultsPath: resultsPath, catalog: .standard(), threads: Runtime.threads,
      log: { line in if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } },
      shouldStop: { LuaContext.interrupted })
    print(SingleRun.table(record), terminator: "")
    if !record.notes.isEmpty {
      print("notes: " + record.notes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
  }

  /// The method's name: `method` itself, or the one method the file it names defines.
  func methodToRun(_ vm: LuaVM) throws -> String {
    let isFile = method.hasSuffix(".lua") || method.contains("/")
    guard isFile else { return method }
    let names: [String]
    do {
      lua_pushstring(vm.L, method)
      vm.setGlobal("_lethe_try_file")
      names = try vm.run("return table.concat(lethe.methods.load(_lethe_try_file), '\\n')")
        .first.map { $0.split(separator: "\n").map(String.init) } ?? []
    } catch let error as LuaError {
      throw ScriptFailure(message: "lethe: \(error)")
    }
    if let methodName {
      guard names.contains(methodName) else {
        throw ValidationError("\(method) defines \(names.joined(separator: ", ")), not \(methodName)")
      }
      return methodName
    }
    guard names.count == 1, let only = names.first else {
      throw ValidationError("\(method) defines \(names.joined(separator: ", ")); choose one with --method")
    }
    return only
  }

  /// `KIND[:VALUE]` with `--scenario-option`s as a spec table.
  func scenarioSpec() throws -> ConfigValue {
    let parts = scenario.split(separator: ":", maxSplits: 1).map(String.init)
    guard case .table(var fields) = try spec(parts.first ?? "", scenarioOptions, "--scenario-option") else {
      throw ValidationError("--scenario: KIND[:VALUE] expected")
    }
    if parts.count == 2 {
      let main = ["sample": "fraction", "label": "count", "label_count": "classes"]
      guard let option = main[parts[0]], let value = Double(parts[1]) else {
        throw ValidationError("--scenario \(scenario): a VALUE is understood for sample (fraction), label (count) "
          + "and label_count (classes); give other options with --scenario-option")
      }
      fields[option] = .number(value)
    }
    return .table(fields)
  }

  /// A schedule entry `{name, k = v, ...}`.
  func spec(_ name: String, _ options: [String], _ flag: String) throws -> ConfigValue {
    guard !name.isEmpty else { throw ValidationError("an empty name") }
    var fields = try pairs(options, flag)
    fields["name"] = .string(name)
    return .table(fields)
  }

  /// `k=v` strings as option values: numbers, true/false, or strings.
  func pairs(_ items: [String], _ flag: String) throws -> [String: ConfigValue] {
    var out: [String: ConfigValue] = [:]
    for item in items {
      let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard kv.count == 2, !kv[0].isEmpty else { throw ValidationError("\(flag) \(item): k=v expected") }
      if let d = Double(kv[1]) {
        out[kv[0]] = .number(d)
      } else if kv[1] == "true" || kv[1] == "false" {
        out[kv[0]] = .bool(kv[1] == "true")
      } else {
        out[kv[0]] = .string(kv[1])
      }
    }
    return out
  }
}
