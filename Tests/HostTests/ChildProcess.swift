#if canImport(Glibc)
  import Glibc
#endif
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

  /// A started child: its process id and the files its output goes to.
  struct Child {
    var pid: pid_t
    var out: String
    var err: String
  }

  /// Starts `arguments[0]` (a path, or a name looked up on the PATH) with the rest as its
  /// arguments, in `directory`, with `environment` added to this process's; its output goes to
  /// files. Spawned and reaped with posix_spawn and waitpid: Foundation's `Process` on Linux
  /// notices a child's exit through a socket the child inherits, so it waits forever for a
  /// script that left a daemon behind (swift-corelibs-foundation issue 4795).
  static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws
    -> Child
  {
    let id = UUID().uuidString
    let out = "\(NSTemporaryDirectory())/lethe-child-\(id).out", err = "\(NSTemporaryDirectory())/lethe-child-\(id).err"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // `env -C` changes the folder (posix_spawn_file_actions_addchdir_np is not visible to Swift).
    let argv = ["/usr/bin/env", "-C", directory] + arguments
    let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0)=\($1)" }
    var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
    defer { for p in cArgv + cEnv { free(p) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, argv[0], &actions, nil, &cArgv, &cEnv)
    guard status == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(status)) }
    return Child(pid: pid, out: out, err: err)
  }

  /// Waits for a child `start` returned and collects its output (removing the files).
  static func finish(_ child: Child) -> Result {
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    let read = { (path: String) -> String in
      defer { try? FileManager.default.removeItem(atPath: path) }
      return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
    // The exit code, or 128 + the signal for a killed child (as a shell reports it).
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Result(status: code, out: read(child.out), err: read(child.err))
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
