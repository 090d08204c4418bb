import Foundation
import XCTest

@testable import Host

/// Every binding carries a signature and a doc line, and docs/lua-api.md lists every one.
final class DocumentationTests: XCTestCase {
  func testEveryBindingHasASignatureAndDoc() {
    for b in LuaBindingTable.shared.registry.documentedBindings {
      XCTAssertFalse(b.signature.isEmpty, "\(b.qualifiedName) has no signature")
      XCTAssertFalse(b.doc.isEmpty, "\(b.qualifiedName) has no doc")
    }
  }

  /// Walks `lethe`, its modules and the class method tables in Lua: every function (Swift or
  /// prelude) must have an entry in the documentation table.
  func testEveryReachableFunctionIsDocumented() throws {
    let lua = try CapturedVM()
    try lua.vm.run(
      """
      local docs, classes = lethe._internals.docs, lethe._internals.classes
      local missing = {}
      local function check(t, prefix)
        for k, v in pairs(t) do
          if type(k) == "string" and not k:match("^_") then
            if type(v) == "function" and not docs[v] then missing[#missing + 1] = prefix .. k end
            if type(v) == "table" and prefix == "lethe." and package.loaded["lethe." .. k] then
              check(v, "lethe." .. k .. ".")
            end
          end
        end
      end
      check(lethe, "lethe.")
      for name, cls in pairs(classes) do check(cls.methods, name .. ":") end
      assert(#missing == 0, "undocumented: " .. table.concat(missing, ", "))
      """)
  }

  func testTheApiDocumentListsEveryBinding() throws {
    let doc = try String(
      contentsOf: repositoryRoot.appendingPathComponent("docs/lua-api.md"), encoding: .utf8)
    let lua = try CapturedVM()
    let names = try lua.vm.run(
      """
      local names = {}
      for _, d in pairs(lethe._internals.docs) do names[#names + 1] = d.name end
      return table.concat(names, "\\n")
      """)[0].split(separator: "\n").map(String.init)
    XCTAssertGreaterThan(names.count, 50)
    let missing = names.filter { !doc.contains("`\($0)`") }
    XCTAssertEqual(missing, [], "docs/lua-api.md misses these bindings (regenerate its reference section)")
  }

  func testHelpPrintsForModulesClassesAndNames() throws {
    let lua = try CapturedVM()
    try lua.vm.run(
      """
      lethe.help(lethe.nn)
      lethe.help("Optimizer")
      lethe.help("lethe.tensor.zeros")
      lethe.help()
      """)
    XCTAssertTrue(lua.output.contains("lethe.nn: Models"), lua.output)
    XCTAssertTrue(lua.output.contains("opt:step()"), lua.output)
    XCTAssertTrue(lua.output.contains("lethe.tensor.zeros: zeros("), lua.output)
    XCTAssertTrue(lua.output.contains("modules: lethe.data"), lua.output)
  }
}
