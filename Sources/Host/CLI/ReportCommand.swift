import ArgumentParser
import Foundation
import Experiments
import Methods

/// `lethe report RESULTS.jsonl [--out DIR]`: Markdown and CSV tables and SVG charts from a
/// results file; prints the main table. Corrupt lines are reported with their numbers and skipped;
/// a file without a single record (missing, empty, every line corrupt, binary) fails with exit 1.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write Markdown/CSV tables (mean ± std over seeds) and SVG charts from a results file.")

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The JSON Lines results file.")
  var results: String

  @Option(name: .long, help: "The report folder (default: <results folder>/report).")
  var out: String?

  @Option(name: .long, help: "Only these metrics, comma-separated (e.g. acc_test,speedup).")
  var metrics: String?

  func run() throws {
    let dir = out ?? ReportCommand.defaultDirectory(for: results)
    let wanted = metrics.map { $0.split(separator: ",").map(String.init) }
    let output = try ReportWriter.write(resultsPath: results, directory: dir, metrics: wanted)
    // A file of many corrupt lines names the first few, then counts the rest.
    for c in output.corrupt.prefix(10) {
      LetheCLI.printError("lethe report: \(results) \(c) (skipped)")
    }
    if output.corrupt.count > 10 {
      LetheCLI.printError("lethe report: \(results): \(output.corrupt.count - 10) more corrupt lines (skipped)")
    }
    let parts = ResultsLedger(resultsPath: results).partFiles()
    if !parts.isEmpty {
      LetheCLI.printError(
        "lethe report: \(parts.count) part files in \(ResultsLedger.partsDirectory(for: results)) are not in this "
          + "report; `lethe merge \(results)` folds them in")
    }
    print(output.mainTable, terminator: "")
    if !global.quiet { print("\nwrote \(output.files.joined(separator: ", "))") }
  }

  /// `report` beside the results file.
  static func defaultDirectory(for results: String) -> String {
    let dir = (results as NSString).deletingLastPathComponent
    return (dir.isEmpty ? "." : dir) + "/report"
  }
}
