import XCTest

@testable import Core

final class MetricsMembershipInferenceTests: XCTestCase {
  func testSeparableFeaturesJudgeHighEntropyForgetSamplesNonMember() throws {
    // Members have low entropy, non-members high; of the forget set, 1.05 and 2.0 look unseen.
    for classifier in MembershipInference.Classifier.allCases {
      let r = try MembershipInference.attack(
        memberFeatures: [0.1, 0.2, 0.3], nonMemberFeatures: [1.0, 1.1, 1.2],
        forgetFeatures: [0.15, 1.05, 2.0], classifier: classifier)
      XCTAssertEqual(r.forgetNonMemberPercent, 200.0 / 3.0, accuracy: 1e-9, "\(classifier)")
      XCTAssertEqual(r.auc, 1, "\(classifier): every held-out fold separates")
      XCTAssertEqual(r.folds, 3, "five folds asked, three samples per class")
      XCTAssertEqual(r.trainAccuracy, 100, "\(classifier)")
      XCTAssertEqual(r.heldOutAccuracy, 100, "\(classifier)")
      XCTAssertEqual(r.trainCount, 3)
    }
  }

  /// The point of held-out scoring: on features that carry no membership signal, a threshold
  /// fitted on the data separates that same data better than chance, but not fresh folds.
  func testHeldOutAUCOfNoiseIsChanceWhileTrainingAccuracyIsNot() throws {
    var rng = RandomGenerator(seed: 11)
    let members = (0..<600).map { _ in Double(rng.nextUniform()) }
    let nonMembers = (0..<600).map { _ in Double(rng.nextUniform()) }
    for classifier in MembershipInference.Classifier.allCases {
      let r = try MembershipInference.attack(
        memberFeatures: members, nonMemberFeatures: nonMembers, forgetFeatures: [0.5], classifier: classifier,
        seed: 3)
      XCTAssertEqual(r.auc, 0.5, accuracy: 0.05, "\(classifier): held-out AUC of noise")
      XCTAssertEqual(r.folds, 5)
      if classifier == .threshold {
        XCTAssertGreaterThan(r.trainAccuracy, 52, "a threshold picked on noise fits its own data")
        XCTAssertLessThan(r.heldOutAccuracy, r.trainAccuracy)
      }
    }
  }

  /// The RBF support-vector classifier (LIBSVM, as the SalUn code's sklearn SVC) separates members
  /// that sit between two groups of non-members, which no one-feature logistic regression can.
  func testSupportVectorClassifierLearnsANonMonotoneBoundary() throws {
    var rng = RandomGenerator(seed: 5)
    let members = (0..<300).map { _ in Double(rng.nextUniform()) * 0.6 - 0.3 }
    let nonMembers = (0..<300).map { i in (i % 2 == 0 ? 2.0 : -2.0) + Double(rng.nextUniform()) * 0.6 - 0.3 }
    let forget = [0.0, 0.1, 2.1, -1.9]
    let svc = try MembershipInference.attack(
      memberFeatures: members, nonMemberFeatures: nonMembers, forgetFeatures: forget, classifier: .svc)
    XCTAssertEqual(svc.forgetNonMemberPercent, 50, "0 and 0.1 are members, ±2 are not")
    XCTAssertGreaterThan(svc.auc, 0.99)
    let logistic = try MembershipInference.attack(
      memberFeatures: members, nonMemberFeatures: nonMembers, forgetFeatures: forget, classifier: .logistic)
    XCTAssertLessThan(logistic.auc, 0.75, "a monotone score cannot rank a band")
  }

  func testFeaturesFromLogits() throws {
    let uniform = try OutputMatrix(rows: [[0, 0, 0, 0]])
    XCTAssertEqual(try MembershipInference.features(uniform, .entropy)[0], log(4.0), accuracy: 1e-12)
    XCTAssertEqual(try MembershipInference.features(uniform, .confidence)[0], 0.25, accuracy: 1e-12)
    let peaked = try OutputMatrix(rows: [[0, log(3)]])  // softmax (1/4, 3/4)
    XCTAssertEqual(try MembershipInference.features(peaked, .confidence)[0], 0.75, accuracy: 1e-6)
    let h = -(0.25 * log(0.25) + 0.75 * log(0.75))
    XCTAssertEqual(try MembershipInference.features(peaked, .entropy)[0], h, accuracy: 1e-6)
    // Label 0 (p = 1/4): confidence of the label, loss, and the modified entropy
    // −(1 − p_y)·log p_y − Σ_{i≠y} p_i·log(1 − p_i) = −0.75·log 0.25 − 0.75·log 0.25.
    let wrong = [0]
    XCTAssertEqual(try MembershipInference.features(peaked, labels: wrong, .labelConfidence)[0], 0.25, accuracy: 1e-6)
    XCTAssertEqual(try MembershipInference.features(peaked, labels: wrong, .loss)[0], -log(0.25), accuracy: 1e-6)
    XCTAssertEqual(
      try MembershipInference.features(peaked, labels: wrong, .modifiedEntropy)[0], -1.5 * log(0.25), accuracy: 1e-6)
    // Label 1 (p = 3/4): −0.25·log 0.75 − 0.25·log 0.75.
    XCTAssertEqual(
      try MembershipInference.features(peaked, labels: [1], .modifiedEntropy)[0], -0.5 * log(0.75), accuracy: 1e-6)
  }

  func testAttackOnOutputsOfConfidentAndUnsureModels() throws {
    // Members: confident and right; non-members: flat. Forget set: one of each.
    let retained = try OutputMatrix(rows: [[9, 0, 0], [0, 8, 0], [0, 0, 10]])
    let test = try OutputMatrix(rows: [[1, 0.5, 0], [0.2, 0.3, 0.1], [0, 0, 0.5]])
    let forget = try OutputMatrix(rows: [[7, 0, 0], [0.1, 0, 0.2]])
    for feature in MembershipInference.Feature.allCases {
      let r = try MembershipInference.attack(
        retained: retained, retainedLabels: [0, 1, 2], test: test, testLabels: [1, 0, 2], forget: forget,
        forgetLabels: [0, 1], feature: feature)
      XCTAssertEqual(r.forgetNonMemberPercent, 50, "\(feature)")
      XCTAssertEqual(r.auc, 1, "\(feature)")
    }
  }

  func testAttackRejectsBadInput() throws {
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [], nonMemberFeatures: [1], forgetFeatures: [1]))
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [1], nonMemberFeatures: [1], forgetFeatures: []))
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [.nan], nonMemberFeatures: [1], forgetFeatures: [1]))
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [1, 2], nonMemberFeatures: [3, 4], forgetFeatures: [1], folds: 1))
    XCTAssertThrowsError(try MembershipInference.Feature.named("logit")) { error in
      XCTAssertTrue("\(error)".contains("entropy, confidence, label_confidence, modified_entropy, loss"), "\(error)")
    }
    let outputs = try OutputMatrix(rows: [[0, 1]])
    XCTAssertThrowsError(try MembershipInference.features(outputs, .loss)) { error in
      XCTAssertTrue("\(error)".contains("needs labels"), "\(error)")
    }
    XCTAssertThrowsError(try MembershipInference.features(outputs, labels: [2], .loss))
  }

  func testOneSamplePerClassHasNoHeldOutAUC() throws {
    let r = try MembershipInference.attack(memberFeatures: [0], nonMemberFeatures: [1], forgetFeatures: [1])
    XCTAssertTrue(r.auc.isNaN)
    XCTAssertEqual(r.folds, 0)
    XCTAssertEqual(r.forgetNonMemberPercent, 100)
  }
}
