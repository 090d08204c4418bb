import Core
import ToyProblems
import XCTest

@testable import Methods

final class ScriptedMethodTests: XCTestCase {
  /// A closure-built method, as the Lua host builds them, with the context's training helper:
  /// relabelling the forget set and fine-tuning lowers its accuracy.
  func testClosureMethodRelabelsAndTrains() throws {
    let method = ScriptedMethod(
      descriptor: MethodDescriptor(name: "relabel", summary: "s", options: [], origin: .lua, source: "x.lua")
    ) { ctx in
      let labels = try ctx.labels(ctx.request.forget)
      var relabel: [Int: Int] = [:]
      for (i, index) in ctx.request.forget.enumerated() { relabel[index] = (labels[i] + 1) % 3 }
      let summary = try ctx.train(indices: ctx.request.forget, epochs: 5, learningRate: 0.2, relabel: relabel)
      return UnlearningResult(model: ctx.model, notes: ["steps": "\(summary.steps)"])
    }
    let toy = try ToySetup()
    let forget = Array(0..<40)
    let ctx = try toy.context(method, forget: forget)
    let before = try ctx.accuracy(forget)
    let result = try method.unlearn(ctx)
    XCTAssertLessThan(try Evaluation.accuracy(of: result.model, on: toy.train, indices: forget), before - 50)
    XCTAssertEqual(result.notes["steps"], "15")
    XCTAssertThrowsError(try ctx.train(indices: [999])) { XCTAssertTrue("\($0)".contains("999")) }
    XCTAssertThrowsError(try ctx.train(indices: [0], relabel: [0: 7])) { XCTAssertTrue("\($0)".contains("label 7")) }

    let registry = MethodRegistry()
    try registry.register(method)
    XCTAssertTrue(registry.listing().contains("relabel  [lua: x.lua]"), registry.listing())
    XCTAssertNoThrow(try registry.register(method, replacing: true))
  }
}
