import Foundation
import XCTest

/// Child processes for the cluster tests: the built `lethe` executable, Slurm's clients, scripts.
enum ChildProcess {
  /// The `lethe` executable built beside the test bundle, or a skip when it is not built.
  static func lethe() throws -> String {
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [products, products.deletingLastPathComponent()].map { $0.appendingPathComponent("lethe").path }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip("the lethe executable is not built")
    }
    return found
  }

  /// A finished child: exit status, standard output, standard error.
  struct Result {
    var status: Int32
    var out: String
    var err: String
  }

  /// Starts `arguments[0]` (a path, or a name looked up on the PATH) with the rest as its
  /// arguments, in `directory`, with `environment` added to this process's; its output goes to
  /// the returned files.
  static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws
    -> (process: Process, out: String, err: String)
  {
    let p = Process()
    if arguments[0].hasPrefix("/") {
      p.executableURL = URL(fileURLWithPath: arguments[0])
      p.arguments = Array(arguments.dropFirst())
    } else {
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = arguments
    }
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let id = UUID().uuidString
    let out = "\(NSTemporaryDirectory())/lethe-child-\(id).out", err = "\(NSTemporaryDirectory())/lethe-child-\(id).err"
    FileManager.default.createFile(atPath: out, contents: nil)
    FileManager.default.createFile(atPath: err, contents: nil)
    p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    try p.run()
    return (p, out, err)
  }

  /// Waits for a child `start` returned and collects its output (removing the files).
  static func finish(_ child: (process: Process, out: String, err: String)) -> Result {
    child.process.waitUntilExit()
    let read = { (path: String) -> String in
      defer { try? FileManager.default.removeItem(atPath: path) }
      return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
    return Result(status: child.process.terminationStatus, out: read(child.out), err: read(child.err))
  }

  /// Runs a child to its end.
  static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Result {
    finish(try start(arguments, in: directory, environment: environment))
  }
}

/// The records of a JSON Lines results file, as dictionaries, in file order.
func resultRecords(_ path: String) -> [[String: Any]] {
  let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  return text.split(separator: "\n").compactMap {
    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
  }
}

/// Compares two results files run by run and metric by metric, leaving out what measures time
/// (the timings and `speedup`, a ratio of two times); returns the differences, empty when equal.
func metricDifferences(_ a: String, _ b: String) -> [String] {
  func byKey(_ path: String) -> [String: [String: Double]] {
    var out: [String: [String: Double]] = [:]
    for r in resultRecords(path) where r["status"] as? String == "ok" {
      guard let key = r["key"] as? String, let metrics = r["metrics"] as? [String: Double] else { continue }
      out[key] = metrics.filter { $0.key != "speedup" }
    }
    return out
  }
  let x = byKey(a), y = byKey(b)
  var differences: [String] = []
  if Set(x.keys) != Set(y.keys) { differences.append("runs differ: \(x.keys.count) vs \(y.keys.count)") }
  for (key, metrics) in x.sorted(by: { $0.key < $1.key }) {
    guard let other = y[key] else { continue }
    if Set(metrics.keys) != Set(other.keys) { differences.append("\(key): metric names differ") }
    for (name, value) in metrics.sorted(by: { $0.key < $1.key }) where other[name] != value {
      differences.append("\(key) \(name): \(value) vs \(other[name].map { "\($0)" } ?? "missing")")
    }
  }
  return differences
}
