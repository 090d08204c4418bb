import Core
import Foundation
import ToyProblems
import XCTest

@testable import Methods

/// DeltaGrad's promise (Wu et al., 2020): on a convex model, replaying the cached SGD trajectory
/// without x* — exact gradients for the first j0 steps and every T0-th, L-BFGS approximations in
/// between — lands within 1e-3 (relative) of retraining along the same trajectory, faster.
final class DeltaGradTests: XCTestCase {
  /// Records M0's batches and learning rates, independently of DeltaGrad's own cache.
  final class BatchRecorder: TrainingObserver {
    var batches: [[Int]] = []
    var rates: [Double] = []
    func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      batches.append(step.indices)
      rates.append(step.learningRate)
    }
  }

  struct Trained {
    let train: Blobs
    let recipe: TrainingRecipe
    let initial: Learner
    let m0: Learner
    let artifacts: PreparedArtifacts
    let batches: [[Int]]
    let rates: [Double]
    let method = DeltaGradMethod()

    /// M0 trained with DeltaGrad's prepare attached (and a batch recorder).
    init(model: Learner, train: Blobs, recipe: TrainingRecipe, options: [String: OptionValue]) throws {
      self.train = train
      self.recipe = recipe
      initial = model
      m0 = model.copy()
      let resolved = try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test")
      let observer = try XCTUnwrap(try method.prepare(options: resolved))
      let recorder = BatchRecorder()
      var request = TrainingRequest(source: train, recipe: recipe)
      request.observers = [("deltagrad", observer), ("batches", recorder)]
      if let change = observer.trainingChange { XCTAssertTrue(change.contains("head phase"), change) }
      artifacts = try LearnerTrainer.train(m0, request).artifacts
      batches = recorder.batches
      rates = recorder.rates
    }

    func unlearn(forget: [Int], options: [String: OptionValue]) throws -> (Learner, UnlearningResult, Double) {
      let context = UnlearningContext(
        model: m0.copy(), request: try ForgetRequest(train: train, forget: forget),
        options: try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test"),
        recipe: recipe, initialState: initial.stateVector(), artifacts: artifacts, seed: 3)
      let clock = ContinuousClock()
      let t0 = clock.now
      let result = try method.unlearn(context)
      return (result.model, result, (clock.now - t0).seconds)
    }

    /// Retraining along M0's trajectory without `forget`, written here with Core's SGD: M0's
    /// batches minus x*, M0's learning rates, momentum and weight decay.
    func exactReplay(forget: [Int]) throws -> [Float] {
      let model = initial.copy()
      let module = try XCTUnwrap(model.singleModule)
      let sgd = try SGD(
        parameters: module.parameters(), learningRate: 0, momentum: Float(recipe.momentum),
        weightDecay: Float(recipe.weightDecay))
      let removed = Set(forget)
      for (batch, rate) in zip(batches, rates) {
        let kept = batch.filter { !removed.contains($0) }
        if kept.isEmpty { continue }
        let b = try train.batch(at: kept)
        let (_, g) = try model.lossAndGradient(inputs: b.inputs, targets: .labels(b.labels), stepSeed: 0)
        var offset = 0
        for p in module.parameters() {
          p.grad = Tensor(shape: p.value.shape, storage: Array(g[offset..<(offset + p.value.count)]))
          offset += p.value.count
        }
        sgd.learningRate = Float(rate)
        try sgd.step()
      }
      return model.parameterVector()
    }
  }

  static func relative(_ a: [Float], _ b: [Float]) -> Double {
    let d = zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
    return d / b.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
  }

  func testModelScopeMatchesRetrainingAlongTheTrajectoryOnLogisticRegression() throws {
    let train = Blobs(classes: 5, perClass: 400, features: 20, spread: 1.5, seed: 1)
    let recipe = TrainingRecipe(epochs: 60, batchSize: 1000, learningRate: 0.5, momentum: 0, weightDecay: 1e-3, seed: 2)
    let t = try Trained(
      model: try softmaxRegression(features: 20, classes: 5, seed: 1), train: train, recipe: recipe,
      options: ["scope": .string("model")])
    XCTAssertEqual(t.batches.count, 120)
    var rng = RandomGenerator(seed: 4)
    let forget = Array(rng.permutation(2000).prefix(20)).sorted()  // 1%
    let reference = try t.exactReplay(forget: forget)
    let (fast, result, fastSeconds) = try t.unlearn(forget: forget, options: ["scope": .string("model")])
    let (exact, _, exactSeconds) = try t.unlearn(forget: forget, options: ["scope": .string("model"), "exact": .bool(true)])
    XCTAssertEqual(result.notes["exact_steps"], "40", "20 + every 5th of the other 100")
    XCTAssertEqual(result.notes["approximate_steps"], "80")
    let error = Self.relative(fast.parameterVector(), reference)
    XCTAssertLessThanOrEqual(error, 1e-3, "DeltaGrad vs retraining along the trajectory")
    XCTAssertLessThanOrEqual(Self.relative(exact.parameterVector(), reference), 1e-6, "the exact mode is that retraining")
    let moved = Self.relative(t.m0.parameterVector(), reference)
    XCTAssertGreaterThan(moved, 5 * error, "M0 itself is much farther away")
    print(
      "deltagrad model scope: relative error \(error) (M0: \(moved)), time \(fastSeconds) s vs exact \(exactSeconds) s (\(exactSeconds / fastSeconds)×)")
  }

  func testHeadScopeReplaysTheHeadPhase() throws {
    let train = Blobs(classes: 4, perClass: 150, features: 8, spread: 1.5, seed: 5)
    var rng = RandomGenerator(seed: 6)
    let model = ModuleLearner(
      try Models.mlp(inputFeatures: 8, classes: 4, hidden: [12], activation: .tanh, rng: &rng), classCount: 4)
    // Full-batch steps (gradient descent, DeltaGrad's first setting); the model-scope test has mini-batches.
    let head: [String: OptionValue] = ["head_epochs": .number(120), "head_batch_size": .number(600), "head_lr": .number(0.5)]
    let t = try Trained(
      model: model, train: train, recipe: TrainingRecipe(epochs: 3, batchSize: 20, learningRate: 0.05, seed: 7),
      options: head)
    XCTAssertEqual(t.artifacts.notes["deltagrad"]?["steps"], "120")
    XCTAssertEqual(t.artifacts.notes["deltagrad"]?["head"], "fc2")
    let forget = Array(rng.permutation(600).prefix(6)).sorted()  // 1%
    let (fast, result, _) = try t.unlearn(forget: forget, options: head)
    var exactOptions = head
    exactOptions["exact"] = .bool(true)
    let (exact, _, _) = try t.unlearn(forget: forget, options: exactOptions)
    let fc2 = { (l: Learner) in (l.singleModule!.namedModules().first { $0.0 == "fc2" }!.1).parameterVector().storage }
    let error = Self.relative(fc2(fast), fc2(exact))
    XCTAssertLessThanOrEqual(error, 1e-3)
    XCTAssertGreaterThan(Self.relative(fc2(t.m0), fc2(exact)), 5 * error, "M0's head is much farther away")
    XCTAssertEqual(result.notes["scope"], "head")
    print("deltagrad head scope: relative error \(error) (M0's head: \(Self.relative(fc2(t.m0), fc2(exact))))")
    // The layers below the head are M0's.
    let body = { (l: Learner) in l.singleModule!.namedModules().first { $0.0 == "fc1" }!.1.parameterVector() }
    XCTAssertEqual(body(fast), body(t.m0))
  }

  func testTrajectoryAboveTheMemoryLimitGoesToDiskOrFailsClearly() throws {
    let train = Blobs(classes: 3, perClass: 40, features: 4, seed: 8)
    let recipe = TrainingRecipe(epochs: 3, batchSize: 16, learningRate: 0.1, momentum: 0, weightDecay: 0, seed: 9)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-deltagrad-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let inMemory = try Trained(
      model: try softmaxRegression(features: 4, classes: 3, seed: 2), train: train, recipe: recipe,
      options: ["scope": .string("model")])
    let onDisk = try Trained(
      model: try softmaxRegression(features: 4, classes: 3, seed: 2), train: train, recipe: recipe,
      options: ["scope": .string("model"), "memory_limit_mib": .number(0), "cache_dir": .string(directory)])
    let location = try XCTUnwrap(onDisk.artifacts.notes["deltagrad"]?["location"])
    XCTAssertTrue(location.hasPrefix(directory), location)
    XCTAssertNil(onDisk.artifacts.vector(method: "deltagrad", name: "iterates"))
    let forget = [1, 17, 50, 99]
    let a = try inMemory.unlearn(forget: forget, options: ["scope": .string("model")]).0
    let b = try onDisk.unlearn(forget: forget, options: ["scope": .string("model")]).0
    XCTAssertEqual(a.parameterVector(), b.parameterVector(), "the same trajectory, read from disk")

    let nowhere = try Trained(
      model: try softmaxRegression(features: 4, classes: 3, seed: 2), train: train, recipe: recipe,
      options: ["scope": .string("model"), "memory_limit_mib": .number(0)])
    XCTAssertThrowsError(try nowhere.unlearn(forget: forget, options: ["scope": .string("model")])) {
      XCTAssertTrue("\($0)".contains("cache_dir"), "\($0)")
    }
  }

  func testModelsThatCannotBeReplayedSayWhy() throws {
    var rng = RandomGenerator(seed: 1)
    let cnn = ModuleLearner(try Models.cnn(inputShape: [1, 8, 8], classes: 3, rng: &rng), classCount: 3)
    let request = try ForgetRequest(train: Blobs(seed: 1), forget: [0])
    let method = DeltaGradMethod()
    let model = try MethodOptions.resolve(["scope": .string("model")], specs: method.descriptor.options, owner: "t")
    XCTAssertTrue(method.applicability(to: request, model: cnn, options: model).reason?.contains("dropout") == true)
    XCTAssertEqual(method.applicability(to: request, model: cnn, options: try MethodOptions.resolve([:], specs: method.descriptor.options, owner: "t")), .applies)
    let noHead = ModuleLearner(Sequential([Flatten()]), classCount: 3)
    XCTAssertTrue(
      method.applicability(to: request, model: noHead, options: model).reason?.contains("linear head") == true)
  }
}
