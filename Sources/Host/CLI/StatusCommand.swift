import ArgumentParser
import Experiments

/// `lethe status SCHEDULE.lua`: how many runs of each sweep are done, running, failed and
/// missing (counting the part files of cluster tasks, merged or not).
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status", abstract: "Count a schedule's runs that are done, running, failed and missing.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var target: ScheduleArguments

  func run() throws {
    let sweeps = try ScheduleLoader.plans(target.schedule, arguments: target.scriptArguments, global: global)
    for sweep in sweeps {
      let s = try SweepStatus.of(sweep)
      var line = "\(sweep.plan.resultsPath): \(sweep.runs.count) runs: \(s.done.count) done, "
        + "\(s.running.count) running, \(s.failed.count) failed, \(s.missing.count) missing"
      if s.unmerged > 0 {
        line += " (\(s.unmerged) records in \(ResultsLedger.partsDirectory(for: sweep.plan.resultsPath)) "
          + "not merged yet: lethe merge)"
      }
      print(line)
      let runs = Dictionary(sweep.runs.map { ($0.key, $0.identity) }, uniquingKeysWith: { a, _ in a })
      for (key, error) in s.failed {
        let what = runs[key].map { "\($0.method.name) on \($0.dataset.name)/\($0.model.name) \($0.scenario) seed \($0.seed)" }
        let first = error.split(separator: "\n").first.map(String.init) ?? error
        print("  failed \(key) \(what ?? ""): \(first)")
      }
      for c in s.corrupt { print("  corrupt: \(c)") }
    }
  }
}
