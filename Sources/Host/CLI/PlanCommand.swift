import ArgumentParser
import Experiments
import Foundation

/// `lethe plan SCHEDULE.lua`: the runs of a schedule with their identifiers, the M0 and
/// M_retrain models they need, and what each is expected to cost — without running anything.
struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "List a schedule's runs and the models they need, with identifiers and expected costs.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var target: ScheduleArguments

  @Option(name: .long, help: "Also show how N shares (`lethe run --shard I/N`) would split the runs.")
  var shards: Int?

  @Flag(name: .long, help: "Print JSON instead of tables.")
  var json = false

  func validate() throws {
    if let n = shards, n < 1 { throw ValidationError("--shards must be at least 1, got \(n)") }
  }

  func run() throws {
    let sweeps = try ScheduleLoader.plans(target.schedule, arguments: target.scriptArguments, global: global)
    if json {
      print(try PlanListing.json(sweeps))
    } else {
      for line in PlanListing.lines(sweeps, shards: shards) { print(line) }
    }
  }
}

/// What `lethe plan` prints.
enum PlanListing {
  /// Core-seconds as core-hours ("0.12 core-h"), or as core-seconds below a minute ("0.18 core-s").
  static func hours(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.2g core-s", seconds) }
    let h = seconds / 3600
    return String(format: h >= 10 ? "%.0f core-h" : "%.2g core-h", h)
  }

  static func lines(_ sweeps: [SweepPlan], shards: Int?) -> [String] {
    var out: [String] = []
    for (n, sweep) in sweeps.enumerated() {
      let modelCost = sweep.models.reduce(0) { $0 + $1.cost }
      let runCost = sweep.runs.reduce(0) { $0 + $1.cost }
      out.append(
        "sweep \(n + 1): \(sweep.runs.count) runs, \(sweep.models.count) models, about "
          + "\(hours(modelCost + runCost)) (results: \(sweep.plan.resultsPath), cache: \(sweep.plan.cacheDirectory))")
      out.append("models:")
      for m in sweep.models { out.append("  \(m.id)  \(hours(m.cost))  \(m.summary)") }
      out.append("runs:")
      for r in sweep.runs {
        let i = r.identity
        out.append(
          "  \(r.key)  \(hours(r.cost))  \(i.method) on \(i.dataset)/\(i.model) \(i.training) \(i.scenario) "
            + "seed \(i.seed)  needs \(r.models.joined(separator: " "))")
      }
      if let shards {
        out.append("shares (--shard I/\(shards)):")
        let split = Shards.assign(costs: sweep.runs.map(\.cost), count: shards)
        for (k, share) in split.enumerated() {
          out.append("  \(k + 1)/\(shards): \(share.count) runs, \(hours(share.reduce(0) { $0 + sweep.runs[$1].cost }))")
        }
      }
    }
    return out
  }

  private struct JSONSweep: Encodable {
    var results: String
    var cache: String
    var models: [JSONModel]
    var runs: [JSONRun]
  }
  private struct JSONModel: Encodable {
    var id: String
    var kind: String
    var summary: String
    var cost_core_seconds: Double
  }
  private struct JSONRun: Encodable {
    var id: String
    var method: String
    var dataset: String
    var model: String
    var training: String
    var scenario: String
    var seed: UInt64
    var models: [String]
    var cost_core_seconds: Double
  }

  static func json(_ sweeps: [SweepPlan]) throws -> String {
    let value = sweeps.map { s in
      JSONSweep(
        results: s.plan.resultsPath, cache: s.plan.cacheDirectory,
        models: s.models.map {
          JSONModel(id: $0.id, kind: $0.kind.rawValue, summary: $0.summary, cost_core_seconds: $0.cost)
        },
        runs: s.runs.map { r in
          let i = r.identity
          return JSONRun(
            id: r.key, method: i.method.canonical, dataset: i.dataset.canonical, model: i.model.canonical,
            training: i.training.canonical, scenario: i.scenario.canonical, seed: i.seed, models: r.models,
            cost_core_seconds: r.cost)
        })
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(["sweeps": value]), as: UTF8.self)
  }
}
