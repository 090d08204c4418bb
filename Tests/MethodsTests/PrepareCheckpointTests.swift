import Core
import ToyProblems
import XCTest

@testable import Methods

final class PrepareCheckpointTests: XCTestCase {
  func testPrepareRecordsPerEpochCheckpointsThatUnlearnUses() throws {
    let method = CheckpointRewindMethod()
    let observer = try XCTUnwrap(method.prepare(options: MethodOptions()))
    let toy = try ToySetup(observers: [("checkpoint_rewind", observer)])

    // One checkpoint per epoch, each equal to training the same initialisation for that many epochs.
    XCTAssertEqual(toy.artifacts.vectors["checkpoint_rewind"]?.count, toy.recipe.epochs)
    for epoch in [1, 3, 5] {
      let replay = toy.initial.copy()
      var recipe = toy.recipe
      recipe.epochs = epoch
      try LearnerTrainer.train(replay, TrainingRequest(source: toy.train, recipe: recipe))
      XCTAssertEqual(toy.artifacts.vector(method: "checkpoint_rewind", name: "epoch.\(epoch)"),
        replay.stateVector(), "epoch \(epoch)")
    }
    XCTAssertEqual(toy.artifacts.vector(method: "checkpoint_rewind", name: "epoch.5"), toy.m0.stateVector())
    XCTAssertNotNil(toy.artifacts.seconds["checkpoint_rewind"], "hook time is accounted as preparation")

    // Unlearn rewinds to epoch 2's checkpoint (no retraining): the result is that checkpoint.
    let ctx = try toy.context(method, forget: [0, 1, 2], options: ["epoch": .number(2)])
    let result = try method.unlearn(ctx)
    XCTAssertEqual(result.model.stateVector(), toy.artifacts.vector(method: "checkpoint_rewind", name: "epoch.2"))
    XCTAssertEqual(result.notes["rewound_to_epoch"], "2")
    let missing = try toy.context(method, forget: [0], options: ["epoch": .number(9)])
    XCTAssertThrowsError(try method.unlearn(missing)) { XCTAssertTrue("\($0)".contains("epoch 9")) }
  }

  func testRegistryListsMethodsAndRejectsUnknownNames() throws {
    let registry = MethodRegistry()
    registry.registerBuiltins()
    try registry.register(CheckpointRewindMethod())
    XCTAssertThrowsError(try registry.register(CheckpointRewindMethod()))
    XCTAssertEqual(registry.descriptors.map(\.name),
      ["bad_teacher", "checkpoint_rewind", "cr", "deltagrad", "finetune", "linear_filtration", "neggrad", "neggrad+",
        "retrain", "sekhari", "sisa", "unlearnable", "unrolling_sgd"])
    XCTAssertThrowsError(try registry.method(named: "scrub")) { error in
      XCTAssertEqual("\(error)",
        "unknown method 'scrub'; valid methods: bad_teacher, checkpoint_rewind, cr, deltagrad, finetune, linear_filtration, "
          + "neggrad, neggrad+, retrain, sekhari, sisa, unlearnable, unrolling_sgd")
    }
    let listing = registry.listing()
    XCTAssertTrue(listing.contains("neggrad+  [swift]"), listing)
    XCTAssertTrue(listing.contains("alpha (number, default 0.9999)"), listing)
    let resolved = try registry.resolve(NamedSpec("neggrad", ["lr": .number(0.1)]))
    XCTAssertEqual(resolved.canonical, "neggrad(batch_size=0,epochs=5,forget_loss_bound=0,lr=0.1)")
  }
}
