import Core
import Foundation

/// `lethe report`: reads a results file and writes `results.md`, `results.csv` and one
/// `<metric>.svg` per metric into a folder.
public enum ReportWriter {
  /// What a report run produced.
  public struct Output: Sendable {
    /// The aggregated table.
    public var table: ResultTable
    /// The main table in Markdown (what the CLI prints).
    public var mainTable: String
    /// Corrupt lines of the results file (each also listed in the Markdown document).
    public var corrupt: [ResultsFile.CorruptLine]
    /// Paths of the files written.
    public var files: [String]
  }

  /// Reads `resultsPath` and writes the report into `directory` (created if needed).
  /// `metrics` restricts the tables and charts to the named metrics (unknown names throw an error
  /// listing the valid ones); nil means every metric present. A missing file, a folder, binary
  /// data, or a file without a single record (empty, or every line corrupt) is an error.
  ///
  /// Chart file names come from metric names, which come from the file: only
  /// `ReportText.fileNameCharacters` make them up, and every file is written inside `directory`.
  public static func write(resultsPath: String, directory: String, metrics: [String]? = nil) throws -> Output {
    let contents = try ResultsFile(path: resultsPath).read(mustExist: true)
    guard !contents.records.isEmpty else {
      let none = contents.corrupt.count == 1
        ? "its only line is not" : "none of its \(contents.corrupt.count) lines is"
      let why = contents.corrupt.isEmpty ? "it is empty" : "\(none) a record (\(contents.corrupt[0]))"
      throw ExperimentError.io(path: resultsPath, message: "nothing to report: \(why)")
    }
    var table = ResultTable(records: contents.records)
    if let wanted = metrics {
      let names = try wanted.map { try MetricName.named($0).rawValue }
      table.metricNames = table.metricNames.filter(names.contains)
    }
    try FileIO.createFolder(directory)
    var files: [String] = []
    var charts: [String] = []
    var taken: Set<String> = ["results.md", "results.csv"]
    for m in table.metricNames {
      let name = ReportText.fileName(m, suffix: ".svg", taken: &taken)
      try save(SVGBarChart.render(table, metric: m), directory, name)
      charts.append(name)
      files.append("\(directory)/\(name)")
    }
    try save(CSVReport.render(table), directory, "results.csv")
    try save(
      MarkdownReport.document(table, source: resultsPath, corrupt: contents.corrupt, charts: charts),
      directory, "results.md")
    files = ["\(directory)/results.md", "\(directory)/results.csv"] + files
    return Output(table: table, mainTable: MarkdownReport.mainTable(table), corrupt: contents.corrupt, files: files)
  }

  /// Writes `text` as `directory/name`, replacing the file (a symbolic link there is replaced,
  /// not followed). `name` must be a plain file name.
  private static func save(_ text: String, _ directory: String, _ name: String) throws {
    guard !name.isEmpty, !name.hasPrefix("."), name.allSatisfy(ReportText.fileNameCharacters.contains) else {
      throw ExperimentError.io(path: directory, message: "refusing to write a file named '\(name)'")
    }
    try AtomicFile.write(Array(text.utf8), to: "\(directory)/\(name)")
  }
}
