import Foundation
import XCTest

@testable import Host

/// Every Lua file Lethe ships parses (`luac5.4 -p`, from Debian's lua5.4 package), and the
/// prelude files are exactly the chunks a Lua state runs.
final class LuaSourceTests: XCTestCase {
  /// The `.lua` files under `folder` (relative to the repository), recursively, sorted.
  func luaFiles(in folder: String) -> [String] {
    let root = repositoryRoot.appendingPathComponent(folder).path
    let found = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    return found.filter { $0.hasSuffix(".lua") }.sorted().map { root + "/" + $0 }
  }

  /// Runs `luac5.4 -p` on `files`; returns (status, standard error).
  func parse(_ files: [String]) throws -> (Int32, String) {
    let luac = ["/usr/bin/luac5.4", "/usr/local/bin/luac5.4"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let luac else {
      XCTFail("luac5.4 not found: install Debian's lua5.4 package (make deps)")
      return (-1, "")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: luac)
    process.arguments = ["-p"] + files
    let stderr = Pipe()
    process.standardError = stderr
    try process.run()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: err, as: UTF8.self))
  }

  func testEveryShippedLuaFileParses() throws {
    let prelude = luaFiles(in: "Sources/Host/Prelude")
    let scripts = luaFiles(in: "scripts/lua")
    XCTAssertGreaterThanOrEqual(prelude.count, 6)
    XCTAssertGreaterThanOrEqual(scripts.count, 10)
    for file in prelude + scripts {
      let (status, err) = try parse([file])
      XCTAssertEqual(status, 0, "\(file): \(err)")
    }
  }

  /// The check can fail: a file with a syntax error is reported with its line.
  func testASyntaxErrorIsCaught() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-broken-\(UUID()).lua").path
    try "local x = = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, err) = try parse([path])
    XCTAssertNotEqual(status, 0)
    XCTAssertTrue(err.contains(":1:"), err)
  }

  /// Each prelude file is embedded and run, and nothing else is: the registry's chunks are the
  /// files' contents.
  func testThePreludeChunksAreTheEmbeddedFiles() throws {
    let files = try luaFiles(in: "Sources/Host/Prelude").map { try String(contentsOfFile: $0, encoding: .utf8) }
    let chunks = LuaBindingTable.shared.registry.preludes.map(\.1)
    XCTAssertEqual(chunks.sorted(), files.sorted())
  }
}
