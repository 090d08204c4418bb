import Core
import XCTest

@testable import Methods

/// A method whose `prepare` records M0's parameters after every epoch and whose `unlearn`
/// rewinds to the last checkpoint taken before the forget set mattered — here, a chosen epoch —
/// and continues training from there on the retained data.
final class CheckpointRewindMethod: UnlearningMethod {
  let descriptor = MethodDescriptor(
    name: "checkpoint_rewind", summary: "rewind to a stored epoch checkpoint, then train on the retained data",
    options: [
      OptionSpec("epoch", .integer, default: .number(1), doc: "checkpoint to rewind to"),
      OptionSpec("epochs", .integer, default: .number(0), doc: "epochs of retraining after the rewind"),
    ])

  final class Recorder: TrainingObserver {
    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      artifacts.store(learner.stateVector(), method: "checkpoint_rewind", name: "epoch.\(epoch)")
    }
  }

  func prepare(options: MethodOptions) throws -> TrainingObserver? { Recorder() }

  func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let epoch = try context.options.integer("epoch")
    guard let state = context.artifacts.vector(method: "checkpoint_rewind", name: "epoch.\(epoch)") else {
      throw MethodError.failed(method: "checkpoint_rewind", message: "no checkpoint for epoch \(epoch)")
    }
    try context.model.loadStateVector(state)
    var recipe = context.recipe
    recipe.epochs = try context.options.integer("epochs")
    var scratch = PreparedArtifacts()
    try SGDTrainer.train(
      context.model, source: context.request.train, indices: context.request.retained, recipe: recipe,
      artifacts: &scratch)
    return UnlearningResult(model: context.model, notes: ["rewound_to_epoch": "\(epoch)"])
  }
}

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
      var scratch = PreparedArtifacts()
      try SGDTrainer.train(replay, source: toy.train, recipe: recipe, artifacts: &scratch)
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
      ["checkpoint_rewind", "finetune", "neggrad", "neggrad+", "retrain", "unrolling_sgd"])
    XCTAssertThrowsError(try registry.method(named: "scrub")) { error in
      XCTAssertEqual("\(error)",
        "unknown method 'scrub'; valid methods: checkpoint_rewind, finetune, neggrad, neggrad+, retrain, unrolling_sgd")
    }
    let listing = registry.listing()
    XCTAssertTrue(listing.contains("neggrad+  [swift]"), listing)
    XCTAssertTrue(listing.contains("alpha (number, default 0.9999)"), listing)
    let resolved = try registry.resolve(NamedSpec("neggrad", ["lr": .number(0.1)]))
    XCTAssertEqual(resolved.canonical, "neggrad(batch_size=0,epochs=5,forget_loss_bound=0,lr=0.1)")
  }
}
