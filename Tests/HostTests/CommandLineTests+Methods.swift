import Foundation
import XCTest

/// Where `lethe` loads Lua methods from, what a method file may do while it loads, and `lethe try`.
extension CommandLineTests {
  /// A folder holding `files` (name → source), removed after the test.
  func folder(_ files: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-methods-\(UUID())")
    for (name, source) in files {
      let url = dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try source.write(to: url, atomically: true, encoding: .utf8)
    }
    addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
  }

  /// A project met in the working directory never contributes methods; the installation's do.
  func testMethodsComeFromTheInstallationNotTheWorkingDirectory() throws {
    let project = try folder([
      "Package.swift": "// another project",
      "scripts/lua/methods/other.lua": "lethe.method{name = 'cwd_probe', unlearn = function() end}",
    ])
    let (status, out, err) = try run(["methods"], in: project)
    XCTAssertEqual(status, 0, err)
    XCTAssertFalse(out.contains("cwd_probe"), out)
    for name in ["ssd", "scrub", "salun", "fisher", "l1_sparse", "random_labels"] {
      XCTAssertTrue(out.contains("\(name)  [lua: "), "\(name) missing from:\n\(out)")
    }
  }

  /// A schedule, a file defining nothing, a built-in's name and another file's name are reported
  /// and skipped; the good file loads.
  func testMethodFilesThatDoMoreThanDefineMethodsAreReported() throws {
    let dir = try folder([
      "a_schedule.lua": """
        lethe.experiment.run{datasets = {"purchase-synthetic"}, models = {"mlp"}, scenarios = {"sample"},
          methods = {"retrain"}, results = "should-not-exist.jsonl"}
        """,
      "b_nothing.lua": "local x = 1",
      "c_output.lua": "io.write('loaded')\nlethe.method{name = 'output_probe', unlearn = function() end}",
      "d_builtin.lua": "lethe.method{name = 'retrain', unlearn = function() end}",
      "e_good.lua": """
        local lethe = require "lethe"
        local helper = 1
        lethe.method{name = 'path_probe', summary = 'keeps M0', unlearn = function(ctx) return {helper = helper} end}
        """,
      "f_same_name.lua": "lethe.method{name = 'path_probe', unlearn = function() end}",
    ])
    let (status, out, err) = try run(["methods", "--methods", dir.path], in: dir)
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(out.contains("path_probe  [lua: \(dir.path)/e_good.lua]"), out)
    XCTAssertFalse(out.contains("output_probe"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("should-not-exist.jsonl").path))
    for (file, message) in [
      ("a_schedule.lua", "lethe.experiment is not available while a method file loads"),
      ("b_nothing.lua", "defines no method"),
      ("c_output.lua", "io is not available while a method file loads"),
      ("d_builtin.lua", "'retrain' is a built-in method; choose another name"),
      ("f_same_name.lua", "'path_probe' is already defined by \(dir.path)/e_good.lua"),
    ] {
      XCTAssertTrue(err.contains("method file \(dir.path)/\(file) skipped: ") && err.contains(message),
        "\(file): \(message) not in:\n\(err)")
    }
  }

  /// `lethe try FILE` runs the file's one method once and prints its metrics row; a second try
  /// finds M0 and M_retrain in the cache.
  func testTryRunsAMethodFileOnce() throws {
    let dir = try folder([
      "probe.lua": "lethe.method{name = 'try_probe', unlearn = function(ctx) return {seen = #ctx.forget} end}"
    ])
    let arguments = [
      "try", dir.appendingPathComponent("probe.lua").path, "--dataset", "purchase-synthetic",
      "--dataset-option", "classes=4", "--dataset-option", "train_count=200", "--dataset-option", "test_count=100",
      "--model", "mlp", "--epochs", "2", "--scenario", "sample:0.05", "--cache", dir.appendingPathComponent("cache").path,
      "--results", dir.appendingPathComponent("try.jsonl").path,
    ]
    let (status, out, err) = try run(arguments, in: dir)
    XCTAssertEqual(status, 0, err)
    XCTAssertTrue(out.contains("| sample(fraction=0.05) | try_probe | "), out)
    XCTAssertTrue(out.contains("notes: seen=10"), out)
    XCTAssertTrue(err.contains("training M0"), err)
    let (again, _, err2) = try run(arguments, in: dir)
    XCTAssertEqual(again, 0, err2)
    XCTAssertTrue(err2.contains("M0 purchase-synthetic") && err2.contains("loaded from cache"), err2)
    let lines = try String(contentsOf: dir.appendingPathComponent("try.jsonl"), encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.count, 2, "every try runs and is recorded")
    let (bad, _, badErr) = try run(["try", "no_such_method", "--dataset", "purchase-synthetic"], in: dir)
    XCTAssertEqual(bad, 1)
    XCTAssertTrue(badErr.contains("unknown method 'no_such_method'"), badErr)
  }
}
