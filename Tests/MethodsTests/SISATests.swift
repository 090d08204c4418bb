import Core
import ToyProblems
import XCTest

@testable import Methods

final class SISATests: XCTestCase {
  let recipe = TrainingRecipe(epochs: 5, batchSize: 8, learningRate: 0.1, momentum: 0.9, weightDecay: 0, seed: 3)
  let options: [String: OptionValue] = ["shards": .number(4), "slices": .number(3)]

  /// A SISA ensemble of softmax regressions over blobs, as the pipeline builds M0.
  func ensemble(_ observer: TrainingObserver) throws -> Learner {
    try XCTUnwrap(
      try observer.shapedLearner(build: { try softmaxRegression(features: 4, classes: 3, seed: $0) }, seed: 7))
  }

  func testSliceEpochsFollowTheReferenceFormula() throws {
    // sisa.py: a = 2R/(R+1)·E/R, slice r gets int((r+1)a) − int(ra).
    XCTAssertEqual((0..<3).map { try! ShardPlan(shards: 2, slices: 3, seed: 0).epochs(slice: $0, of: 5) }, [2, 3, 2])
    XCTAssertEqual(try ShardPlan(shards: 2, slices: 1, seed: 0).epochs(slice: 0, of: 3), 3)
    XCTAssertEqual((0..<4).map { try! ShardPlan(shards: 2, slices: 4, seed: 0).epochs(slice: $0, of: 1) }, [0, 0, 1, 0])
    // Shards partition the positions; the last takes the remainder.
    let shards = try ShardPlan(shards: 3, slices: 1, seed: 1).assignment(sourceCount: 10)
    XCTAssertEqual(shards.map(\.count), [3, 3, 4])
    XCTAssertEqual(Set(shards.flatMap { $0 }), Set(0..<10))
    XCTAssertThrowsError(try SISAMethod().prepare(options: MethodOptions(values: ["shards": .number(0),
      "slices": .number(1), "aggregation": .string("vote")])))
    XCTAssertThrowsError(try SISAMethod().prepare(options: MethodOptions(values: ["shards": .number(2),
      "slices": .number(1), "aggregation": .string("mean")]))) { XCTAssertTrue("\($0)".contains("vote, softmax")) }
    XCTAssertThrowsError(try MethodOptions.resolve(
      ["aggregation": .string("mean")], specs: SISAMethod().descriptor.options, owner: "method 'sisa'")) {
      XCTAssertTrue("\($0)".contains("'vote', 'softmax'"), "\($0)")
    }
  }

  /// The property SISA promises: unlearning equals training the ensemble from scratch without x*
  /// (same seeds), bit for bit, while the shards that held no forget sample are not touched.
  func testUnlearnedEnsembleEqualsScratchTrainingWithoutForgetSetAndSparesUntouchedShards() throws {
    let method = SISAMethod()
    let resolved = try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test")
    let observer = try XCTUnwrap(try method.prepare(options: resolved))
    XCTAssertEqual(observer.trainingChange, "sisa shards=4 slices=3 aggregation=vote")
    let blobs = Blobs(seed: 1)
    let m0 = try ensemble(observer)
    let initial = m0.stateVector()
    var training = TrainingRequest(source: blobs, recipe: recipe)
    training.observers = [("sisa", observer)]
    let artifacts = try LearnerTrainer.train(m0, training).artifacts
    XCTAssertEqual(artifacts.vectors["sisa"]?.count, 12, "a checkpoint per shard and slice (S·R)")
    XCTAssertGreaterThan(try Evaluation.accuracy(of: m0, on: blobs), 90)

    // x*: two samples of shard 1's second slice and one of shard 3's first; shards 0 and 2 hold none.
    let shares = m0.trainingShares(of: nil, sourceCount: blobs.sampleCount)
    func slice(_ shard: Int, _ r: Int) -> [Int] {
      let stages = shares[shard].stages
      let earlier = Set(r == 0 ? [] : stages[r - 1].indices ?? [])
      return (stages[r].indices ?? []).filter { !earlier.contains($0) }
    }
    let forget = Array(slice(1, 1).prefix(2)) + [slice(3, 0)[0]]
    let source = RecordingSource(blobs)
    let context = UnlearningContext(
      model: m0.copy(), request: try ForgetRequest(train: source, forget: forget), options: resolved, recipe: recipe,
      initialState: initial, artifacts: artifacts, seed: 11)
    let result = try method.unlearn(context)

    let scratch = try ensemble(observer)
    XCTAssertEqual(scratch.stateVector(), initial, "the ensemble is built the same way every time")
    let retained = (0..<blobs.sampleCount).filter { !forget.contains($0) }
    try LearnerTrainer.train(scratch, TrainingRequest(source: blobs, indices: retained, recipe: recipe))
    XCTAssertEqual(result.model.stateVector(), scratch.stateVector(), "bit for bit")
    XCTAssertNotEqual(result.model.stateVector(), m0.stateVector())

    // Shards 0 and 2 keep M0's weights and none of their samples was read.
    for k in [0, 2] {
      XCTAssertEqual(
        result.model.constituents[k].module.stateVector(), m0.constituents[k].module.stateVector(), "shard \(k)")
      XCTAssertTrue(source.requested.isDisjoint(with: shares[k].indices ?? []), "shard \(k) was read")
    }
    // Shard 1 restarts at slice 2, from the checkpoint after slice 1: slice 1 alone is not replayed.
    XCTAssertEqual(result.notes["retrained"], "shard1 from slice2, shard3 from slice1")
    XCTAssertEqual(result.notes["shards_retrained"], "2 of 4")
    XCTAssertTrue(result.notes["checkpoints"]?.hasPrefix("12 (S·R)") ?? false, "\(result.notes)")
  }

  func testAggregationVotesOrAveragesTheShards() throws {
    for aggregation in ["vote", "softmax"] {
      let resolved = try MethodOptions.resolve(
        ["shards": .number(3), "aggregation": .string(aggregation)], specs: SISAMethod().descriptor.options,
        owner: "test")
      let model = try ensemble(try XCTUnwrap(try SISAMethod().prepare(options: resolved)))
      let x = try Blobs(seed: 2).batch(at: Array(0..<6)).inputs
      let shardLogits = try model.constituents.map { try OutputMatrix($0.module.logits(inputs: x)) }
      let p = try OutputMatrix(model.logits(inputs: x)).softmaxRows()
      for i in 0..<6 {
        var expected = [Double](repeating: 0, count: 3)
        for z in shardLogits {
          if aggregation == "vote" {
            expected[z.argmaxRows()[i]] += 1.0 / 3
          } else {
            for (c, v) in z.softmaxRows()[i].enumerated() { expected[c] += v / 3 }
          }
        }
        for c in 0..<3 { XCTAssertEqual(p[i][c], expected[c], accuracy: 1e-6, "\(aggregation) sample \(i)") }
      }
    }
  }

  /// DIST_para's convention for an ensemble against one reference model: the mean over the
  /// constituents that changed (all of them when none did); same-shaped learners compare whole.
  func testParameterPairsFollowTheChangedConstituentsConvention() throws {
    let resolved = try MethodOptions.resolve(["shards": .number(3)], specs: SISAMethod().descriptor.options, owner: "t")
    let original = try ensemble(try XCTUnwrap(try SISAMethod().prepare(options: resolved)))
    let reference = try softmaxRegression(features: 4, classes: 3, seed: 9)
    let unlearned = original.copy()
    let pairs0 = unlearned.parameterPairs(against: reference, original: original)
    XCTAssertEqual(pairs0.count, 3, "nothing changed: every constituent counts")
    let shard1 = unlearned.constituents[1].module
    try shard1.setParameterVector(Tensor(shape: [shard1.parameterCount], storage: [Float](repeating: 0.5, count: 15)))
    let pairs = unlearned.parameterPairs(against: reference, original: original)
    XCTAssertEqual(pairs.count, 1)
    XCTAssertEqual(pairs[0].0, [Float](repeating: 0.5, count: 15))
    XCTAssertEqual(pairs[0].1, reference.parameterVector())
    let whole = reference.parameterPairs(against: reference.copy(), original: reference)
    XCTAssertEqual(whole.count, 1)
    XCTAssertEqual(whole[0].0, reference.parameterVector())
  }

  func testPlainModelIsRefusedWithAClearMessage() throws {
    let toy = try ToySetup()
    XCTAssertThrowsError(try SISAMethod().unlearn(toy.context(SISAMethod(), forget: [0]))) {
      XCTAssertTrue("\($0)".contains("needs its own M0, an ensemble of 10 shard models"), "\($0)")
    }
  }
}
