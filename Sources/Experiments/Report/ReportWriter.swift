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
  /// listing the valid ones); nil means every metric present.
  public static func write(resultsPath: String, directory: String, metrics: [String]? = nil) throws -> Output {
    guard FileManager.default.fileExists(atPath: resultsPath) else {
      throw ExperimentError.io(path: resultsPath, message: "no such results file")
    }
    let contents = try ResultsFile(path: resultsPath).read()
    var table = ResultTable(records: contents.records)
    if let wanted = metrics {
      let names = try wanted.map { try MetricName.named($0).rawValue }
      table.metricNames = table.metricNames.filter(names.contains)
    }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw ExperimentError.io(path: directory, message: "cannot create the report folder: \(error)")
    }
    var files: [String] = []
    var charts: [String] = []
    for m in table.metricNames {
      let name = "\(m).svg"
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

  private static func save(_ text: String, _ directory: String, _ name: String) throws {
    let path = "\(directory)/\(name)"
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw ExperimentError.io(path: path, message: "cannot write: \(error)")
    }
  }
}
