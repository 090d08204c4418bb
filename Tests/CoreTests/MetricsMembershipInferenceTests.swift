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
      XCTAssertEqual(r.auc, 1, "\(classifier)")
      XCTAssertEqual(r.trainAccuracy, 100, "\(classifier)")
      XCTAssertEqual(r.trainCount, 3)
    }
  }

  func testAUCOfOverlappingFeatures() throws {
    let r = try MembershipInference.attack(
      memberFeatures: [1, 2, 3, 4], nonMemberFeatures: [3, 4, 5, 6], forgetFeatures: [0, 10],
      classifier: .threshold)
    // Low feature = member; worked by hand in MetricsStatisticsTests.testAUCCountsTiesAsHalf.
    XCTAssertEqual(r.auc, 14.0 / 16.0, accuracy: 1e-12)
    // Best threshold 2.5 (or 4.5 and its equal-accuracy twins): 0 is a member, 10 is not.
    XCTAssertEqual(r.forgetNonMemberPercent, 50, accuracy: 1e-12)
    XCTAssertEqual(r.trainAccuracy, 75, accuracy: 1e-12)
  }

  func testMembersAreSubsampledToBalanceClasses() throws {
    let r = try MembershipInference.attack(
      memberFeatures: [0, 0.1, 0.2, 0.3, 0.4, 0.5], nonMemberFeatures: [2, 3, 4], forgetFeatures: [1],
      seed: 7)
    XCTAssertEqual(r.trainCount, 3)
  }

  func testFeaturesFromLogits() throws {
    let uniform = try OutputMatrix(rows: [[0, 0, 0, 0]])
    XCTAssertEqual(MembershipInference.features(uniform, .entropy)[0], log(4.0), accuracy: 1e-12)
    XCTAssertEqual(MembershipInference.features(uniform, .confidence)[0], 0.25, accuracy: 1e-12)
    let peaked = try OutputMatrix(rows: [[0, log(3)]])  // softmax (1/4, 3/4)
    XCTAssertEqual(MembershipInference.features(peaked, .confidence)[0], 0.75, accuracy: 1e-6)
    let h = -(0.25 * log(0.25) + 0.75 * log(0.75))
    XCTAssertEqual(MembershipInference.features(peaked, .entropy)[0], h, accuracy: 1e-6)
  }

  func testAttackOnOutputsOfConfidentAndUnsureModels() throws {
    // Members: confident logits; non-members: flat logits. Forget set: one of each.
    let retained = try OutputMatrix(rows: [[9, 0, 0], [0, 8, 0], [0, 0, 10]])
    let test = try OutputMatrix(rows: [[1, 0.5, 0], [0.2, 0.3, 0.1], [0, 0, 0.5]])
    let forget = try OutputMatrix(rows: [[7, 0, 0], [0.1, 0, 0.2]])
    for feature in MembershipInference.Feature.allCases {
      let r = try MembershipInference.attack(retained: retained, test: test, forget: forget, feature: feature)
      XCTAssertEqual(r.forgetNonMemberPercent, 50, "\(feature)")
      XCTAssertEqual(r.auc, 1, "\(feature)")
    }
  }

  func testAttackRejectsBadInput() {
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [], nonMemberFeatures: [1], forgetFeatures: [1]))
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [1], nonMemberFeatures: [1], forgetFeatures: []))
    XCTAssertThrowsError(
      try MembershipInference.attack(memberFeatures: [.nan], nonMemberFeatures: [1], forgetFeatures: [1]))
    XCTAssertThrowsError(try MembershipInference.Feature.named("loss")) { error in
      XCTAssertTrue("\(error)".contains("entropy, confidence"), "\(error)")
    }
  }
}
