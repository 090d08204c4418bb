import Core
import ToyProblems
import XCTest

@testable import Methods

final class BuiltinMethodTests: XCTestCase {
  /// Forget: class 0 entirely (indices 0..<40), so accuracy on it is measurable.
  let classZero = Array(0..<40)
  /// A 10% sample spread over all classes.
  let sample = stride(from: 0, to: 120, by: 10).map { $0 }

  func testRetrainEqualsFreshTrainingOnRetainedDataWithSameSeed() throws {
    let toy = try ToySetup()
    let result = try RetrainMethod().unlearn(toy.context(RetrainMethod(), forget: sample))
    let fresh = toy.initial.copy()
    let retained = (0..<120).filter { !sample.contains($0) }
    try LearnerTrainer.train(fresh, TrainingRequest(source: toy.train, indices: retained, recipe: toy.recipe))
    XCTAssertEqual(result.model.parameterVector(), fresh.parameterVector())
    XCTAssertNotEqual(result.model.parameterVector(), toy.m0.parameterVector())
    XCTAssertEqual(result.notes["retained"], "108")
  }

  /// Records the indices of every step.
  final class OrderRecorder: TrainingObserver {
    var order: [[Int]] = []
    func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      if step.epoch > order.count { order.append([]) }
      order[step.epoch - 1] += step.indices
    }
  }

  func testRetrainKeepsM0DataOrderMinusForgetSet() throws {
    let toy = try ToySetup()
    let keep = Set((0..<120).filter { $0 % 3 != 0 })
    let full = OrderRecorder(), minus = OrderRecorder()
    var fullRun = TrainingRequest(source: toy.train, recipe: toy.recipe)
    fullRun.observers = [("full", full)]
    try LearnerTrainer.train(toy.initial.copy(), fullRun)
    var minusRun = TrainingRequest(source: toy.train, indices: keep.shuffled(), recipe: toy.recipe)
    minusRun.observers = [("minus", minus)]
    try LearnerTrainer.train(toy.initial.copy(), minusRun)
    XCTAssertEqual(minus.order.count, toy.recipe.epochs)
    for (f, m) in zip(full.order, minus.order) { XCTAssertEqual(m, f.filter(keep.contains)) }
  }

  func testFinetuneTrainsOnlyOnRetainedData() throws {
    let toy = try ToySetup()
    let recording = RecordingSource(toy.train)
    let method = FinetuneMethod()
    let result = try method.unlearn(toy.context(method, forget: sample, source: recording))
    XCTAssertTrue(recording.requested.isDisjoint(with: sample), "finetune touched the forget set")
    XCTAssertEqual(recording.requested.count, 108)
    XCTAssertNotEqual(result.model.parameterVector(), toy.m0.parameterVector())
    XCTAssertEqual(result.notes["steps"], "7")  // ⌈108 / 16⌉ batches, one epoch
    let capped = try method.unlearn(toy.context(method, forget: sample, options: ["max_steps": .number(3)]))
    XCTAssertEqual(capped.notes["steps"], "3")
  }

  func testNegGradLowersForgetSetAccuracy() throws {
    let toy = try ToySetup()
    let before = try Evaluation.accuracy(of: toy.m0, on: toy.train, indices: classZero)
    XCTAssertGreaterThan(before, 90)
    let recording = RecordingSource(toy.train)
    let method = NegGradMethod()
    let result = try method.unlearn(
      toy.context(method, forget: classZero, options: ["lr": .number(0.5), "epochs": .number(6)],
        source: recording))
    let after = try Evaluation.accuracy(of: result.model, on: toy.train, indices: classZero)
    XCTAssertLessThan(after, before - 30, "forget accuracy \(before) → \(after)")
    XCTAssertEqual(recording.requested, Set(classZero), "neggrad reads only the forget set")
  }

  func testNegGradPlusForgetsWhileKeepingRetainedAccuracy() throws {
    let toy = try ToySetup()
    let retained = Array(40..<120)
    let method = NegGradPlusMethod()
    // Without the forget-loss bound (a large one), to see the algorithm itself.
    let result = try method.unlearn(
      toy.context(method, forget: classZero, options: ["lr": .number(0.5), "alpha": .number(0.5),
        "epochs": .number(12), "forget_loss_bound": .number(50)]))
    let forgetAcc = try Evaluation.accuracy(of: result.model, on: toy.train, indices: classZero)
    let retainedAcc = try Evaluation.accuracy(of: result.model, on: toy.train, indices: retained)
    XCTAssertLessThan(forgetAcc, 10, "\(result.notes)")
    XCTAssertGreaterThan(retainedAcc, 90)
    // The ascent drives the forget loss past even this large bound.
    XCTAssertTrue(result.notes["stopped"]?.contains("passed the bound") ?? false, "\(result.notes)")
    XCTAssertThrowsError(
      try method.unlearn(toy.context(method, forget: classZero, options: ["alpha": .number(2)])))
  }

  /// The forget-loss bound (ln K by default) ends the ascent at the first step whose forget batch
  /// passes it, and the notes say so.
  func testAscentStopsAtTheForgetLossBound() throws {
    let toy = try ToySetup()
    for (method, options): (UnlearningMethod, [String: OptionValue]) in [
      (NegGradMethod(), ["lr": .number(0.5), "epochs": .number(20)]),
      (NegGradPlusMethod(), ["lr": .number(1), "epochs": .number(20), "alpha": .number(0.5)]),
    ] {
      let result = try method.unlearn(toy.context(method, forget: classZero, options: options))
      let stopped = try XCTUnwrap(result.notes["stopped"])
      XCTAssertTrue(stopped.contains("passed the bound 1.0986"), "\(method.descriptor.name): \(stopped)")
      let steps = try XCTUnwrap(Int(result.notes["steps"] ?? ""))
      XCTAssertLessThan(steps, 20 * 3, "\(method.descriptor.name) used its whole budget")
      XCTAssertGreaterThan(steps, 0)
      XCTAssertLessThanOrEqual(try XCTUnwrap(Double(result.notes["last_forget_loss"] ?? "")), log(3))
    }
  }

  /// A non-finite loss ends a gradient-ascent method with the last weights whose loss was finite
  /// and a note, not a failed run; elsewhere it is an error naming the step.
  func testNonFiniteLossStopsAscentButFailsOtherTraining() throws {
    let toy = try ToySetup()
    for method: UnlearningMethod in [NegGradMethod(), NegGradPlusMethod()] {
      let result = try method.unlearn(
        toy.context(method, forget: classZero, options: ["lr": .number(1e38), "forget_loss_bound": .number(1e300)]))
      let stopped = try XCTUnwrap(result.notes["stopped"])
      XCTAssertTrue(stopped.contains("non-finite loss at step"), "\(method.descriptor.name): \(stopped)")
      XCTAssertTrue(result.model.parameterVector().allSatisfy(\.isFinite), method.descriptor.name)
      XCTAssertTrue(try Evaluation.logits(of: result.model, on: toy.train).storage.allSatisfy(\.isFinite))
    }
    let finetune = FinetuneMethod()
    XCTAssertThrowsError(try finetune.unlearn(toy.context(finetune, forget: sample, options: ["lr": .number(1e38)]))) {
      XCTAssertTrue("\($0)".contains("the loss is not finite at epoch 1, step "), "\($0)")
    }
  }

  func testBadRequestsAndOptionsAreClearErrors() throws {
    let toy = try ToySetup()
    XCTAssertThrowsError(try ForgetRequest(train: toy.train, forget: [])) {
      XCTAssertTrue("\($0)".contains("empty"))
    }
    XCTAssertThrowsError(try ForgetRequest(train: toy.train, forget: [500])) {
      XCTAssertTrue("\($0)".contains("500"))
    }
    XCTAssertThrowsError(try ForgetRequest(train: toy.train, forget: [1, 1]))
    XCTAssertThrowsError(try toy.context(NegGradMethod(), forget: [1], options: ["learning_rate": .number(1)])) {
      XCTAssertTrue("\($0)".contains("valid options: epochs, lr, batch_size, forget_loss_bound"), "\($0)")
    }
    XCTAssertThrowsError(try toy.context(NegGradMethod(), forget: [1], options: ["epochs": .number(1.5)]))
    XCTAssertThrowsError(try toy.context(NegGradMethod(), forget: [1], options: ["lr": .string("x")]))
  }
}
