import Core
import Methods
import XCTest

@testable import Host

/// A Lua method outlives nothing: once its Lua state is closed, running it fails with a message
/// instead of touching a dead state.
final class LuaMethodLifetimeTests: XCTestCase {
  func testMethodOfAClosedStateFailsCleanly() throws {
    let context = LuaContext(seed: 0)
    context.quiet = true
    let vm = try LuaVM(scriptName: "test", context: context)
    try vm.run(
      """
      lethe.method{name = "lifetime_probe", summary = "returns a note",
        unlearn = function(ctx) return {forget = #ctx.forget} end}
      """)
    var options = LoadOptions()
    options.syntheticClasses = 3
    options.syntheticTrainCount = 60
    options.syntheticTestCount = 30
    let splits = try DatasetCatalog().load("purchase-synthetic", options: options)
    let model = try Models.make("mlp", inputShape: [600], classes: 3, seed: 1)
    let learner = ModuleLearner(model, classCount: 3)
    func makeContext() throws -> UnlearningContext {
      UnlearningContext(
        model: learner.copy(), request: try ForgetRequest(train: splits.train, forget: [0, 5]),
        options: MethodOptions(), recipe: TrainingRecipe(), initialState: learner.stateVector())
    }
    let method = try MethodRegistry.shared.method(named: "lifetime_probe")
    XCTAssertEqual(try method.unlearn(makeContext()).notes["forget"], "2")
    vm.close()
    XCTAssertThrowsError(try method.unlearn(makeContext())) { error in
      XCTAssertTrue("\(error)".contains("has been closed"), "\(error)")
    }
  }
}
