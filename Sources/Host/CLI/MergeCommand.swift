import ArgumentParser
import Experiments
import Foundation

/// `lethe merge SCHEDULE.lua | RESULTS.jsonl`: folds the part files that cluster tasks wrote
/// into the results file (refusing runs recorded twice), then writes the schedule's report.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Fold the tasks' part files into the results file (refusing duplicates) and write the report.")

  @OptionGroup var global: GlobalOptions

  @Argument(help: "A schedule (.lua) or a results file (.jsonl) whose <name>.parts folder to merge.")
  var target: String

  @Argument(parsing: .postTerminator, help: "Arguments for the schedule script (after --).")
  var scriptArguments: [String] = []

  func run() throws {
    var targets: [(results: String, report: String?)] = []
    if target.hasSuffix(".lua") {
      targets = try ScheduleLoader.plans(target, arguments: scriptArguments, global: global)
        .map { ($0.plan.resultsPath, $0.plan.reportDirectory) }
    } else {
      targets = [(target, nil)]
    }
    for (results, report) in targets {
      let ledger = ResultsLedger(resultsPath: results)
      let outcome = try ledger.merge()
      var line = "\(results): merged \(outcome.merged) records from \(outcome.parts.count) part files"
      if outcome.alreadyPresent > 0 { line += " (\(outcome.alreadyPresent) were already there)" }
      print(line)
      for c in outcome.corrupt { LetheCLI.printError("lethe merge: \(c) (left out)") }
      if !FileManager.default.fileExists(atPath: results) {
        print("\(results): nothing recorded yet")
        continue
      }
      if let report {
        let written = try ReportWriter.write(resultsPath: results, directory: report)
        print("report: \(report)/results.md (\(written.files.count) files)")
      }
    }
  }
}
