/// The membership-inference attack most unlearning papers report.
///
/// Each sample's softmax output is reduced to one feature (`Feature`: its entropy by default, as
/// the survey's attack; or a confidence, the modified entropy, the loss); a classifier on that
/// feature (`Classifier`: logistic regression by default; a threshold; the SalUn / ℓ1-sparse code's
/// RBF support-vector classifier) is trained with the retained data as members and the test set as
/// non-members — the larger side subsampled, seeded, to the size of the smaller so that the
/// classes are balanced — then applied to the forget set. A well-unlearned forget set looks like
/// unseen data: a high share of it is judged non-member (the efficacy).
///
/// How well the attack works at all is its **held-out** ROC AUC: stratified k-fold
/// cross-validation over the balanced member/non-member data, each fold scored by a classifier
/// trained on the other folds, the folds' AUCs averaged. (An AUC on the classifier's own training
/// data rewards overfitting: a threshold picked on noise separates its training data better than
/// chance.)
public enum MembershipInference {
  /// The per-sample feature the attack sees.
  public enum Feature: String, Sendable, CaseIterable, Codable {
    /// Shannon entropy of the softmax output (nats): the survey's attack, the default.
    case entropy
    /// The largest softmax probability (needs no label).
    case confidence
    /// The softmax probability of the sample's true label (SalUn's "confidence").
    case labelConfidence = "label_confidence"
    /// Song & Mittal's modified entropy, −(1 − p_y)·log p_y − Σ_{i≠y} p_i·log(1 − p_i): low for
    /// confidently right samples, high for confidently wrong ones (SalUn's "m_entropy").
    case modifiedEntropy = "modified_entropy"
    /// The cross-entropy loss −log p_y (Yeom et al.'s loss attack).
    case loss

    /// Whether the feature reads the sample's label.
    public var needsLabels: Bool { self != .entropy && self != .confidence }

    /// The feature called `name`, or an error listing the valid names.
    public static func named(_ name: String) throws -> Feature {
      guard let f = Feature(rawValue: name) else {
        throw MetricError.unknownName(kind: "attack feature", name: name, valid: allCases.map(\.rawValue))
      }
      return f
    }
  }

  /// The attack classifier.
  public enum Classifier: String, Sendable, CaseIterable, Codable {
    /// One-feature logistic regression (standardised feature, Newton's method, a small L2
    /// penalty so that separable data still converges). The default.
    case logistic
    /// The single threshold (and direction) with the best training accuracy.
    case threshold
    /// A C-support-vector classifier with an RBF kernel, C = 3, γ = 1/features ("auto"), as
    /// scikit-learn's `SVC(C=3, gamma="auto", kernel="rbf")` in the SalUn / ℓ1-sparse reference
    /// code (`OPTML-Group/Unlearn-Sparse`, `evaluation/SVC_MIA.py`), through LIBSVM. Trained on at
    /// most `supportVectorLimit` samples per class.
    case svc

    /// The classifier called `name`, or an error listing the valid names.
    public static func named(_ name: String) throws -> Classifier {
      guard let c = Classifier(rawValue: name) else {
        throw MetricError.unknownName(kind: "attack classifier", name: name, valid: allCases.map(\.rawValue))
      }
      return c
    }
  }

  /// At most this many members (and as many non-members, seeded subsamples) train the support
  /// vector classifier: its training time grows with the square of the sample count.
  public static let supportVectorLimit = 2000

  /// The cross-validation folds of the held-out AUC, by default.
  public static let defaultFolds = 5

  /// What the attack found.
  public struct Result: Sendable, Equatable, Codable {
    /// Percentage (0...100) of the forget set judged non-member: the attack's efficacy.
    public var forgetNonMemberPercent: Double
    /// Held-out ROC AUC of the attack's member score (retained vs test), the mean over the
    /// cross-validation folds: how well the feature separates members from non-members at all
    /// (0.5 = not at all). NaN when there are fewer than two samples per class.
    public var auc: Double
    /// Accuracy (%, 0...100) on the held-out folds (pooled).
    public var heldOutAccuracy: Double
    /// Accuracy (%, 0...100) of the final attack on its own balanced training data.
    public var trainAccuracy: Double
    /// Members and non-members used (equal after balancing).
    public var trainCount: Int
    /// Cross-validation folds the AUC is averaged over (0 when there were too few samples).
    public var folds: Int
  }

  /// Runs the attack on model outputs (logits) for the three splits. Label-reading features need
  /// each split's labels.
  public static func attack(
    retained: OutputMatrix, retainedLabels: [Int]? = nil, test: OutputMatrix, testLabels: [Int]? = nil,
    forget: OutputMatrix, forgetLabels: [Int]? = nil, feature: Feature = Options().feature,
    classifier: Classifier = Options().classifier, folds: Int = defaultFolds, seed: UInt64 = Options().seed
  ) throws -> Result {
    try attack(
      memberFeatures: features(retained, labels: retainedLabels, feature),
      nonMemberFeatures: features(test, labels: testLabels, feature),
      forgetFeatures: features(forget, labels: forgetLabels, feature), classifier: classifier, folds: folds,
      seed: seed)
  }

  /// Runs the attack on precomputed features.
  public static func attack(
    memberFeatures: [Double], nonMemberFeatures: [Double], forgetFeatures: [Double],
    classifier: Classifier = Options().classifier, folds: Int = defaultFolds, seed: UInt64 = Options().seed
  ) throws -> Result {
    guard !memberFeatures.isEmpty, !nonMemberFeatures.isEmpty else {
      throw MetricError.invalidInput(
        metric: "MIA", message: "needs retained (member) and test (non-member) samples")
    }
    guard !forgetFeatures.isEmpty else {
      throw MetricError.invalidInput(metric: "MIA", message: "the forget set is empty")
    }
    let all = memberFeatures + nonMemberFeatures + forgetFeatures
    guard all.allSatisfy(\.isFinite) else {
      throw MetricError.invalidInput(metric: "MIA", message: "features contain NaN or infinity")
    }
    guard folds >= 2 else {
      throw MetricError.invalidInput(metric: "MIA", message: "cross-validation needs at least 2 folds, got \(folds)")
    }
    var rng = RandomGenerator(seed: seed)
    var n = min(memberFeatures.count, nonMemberFeatures.count)
    if classifier == .svc { n = min(n, supportVectorLimit) }
    let members = balancedSample(memberFeatures, n, &rng)
    let nonMembers = balancedSample(nonMemberFeatures, n, &rng)

    let final = try AttackModel.fit(classifier, members: members, nonMembers: nonMembers)
    let correct = members.filter(final.isMember).count + nonMembers.filter { !final.isMember($0) }.count
    let judgedNonMember = forgetFeatures.filter { !final.isMember($0) }.count

    let k = min(folds, n)
    var aucs: [Double] = []
    var heldOutCorrect = 0
    if k >= 2 {
      // Stratified folds: each class shuffled (seeded) and dealt round-robin.
      let memberFold = foldOf(count: n, folds: k, &rng)
      let nonMemberFold = foldOf(count: n, folds: k, &rng)
      for f in 0..<k {
        let trainM = members.indices.filter { memberFold[$0] != f }.map { members[$0] }
        let trainN = nonMembers.indices.filter { nonMemberFold[$0] != f }.map { nonMembers[$0] }
        let testM = members.indices.filter { memberFold[$0] == f }.map { members[$0] }
        let testN = nonMembers.indices.filter { nonMemberFold[$0] == f }.map { nonMembers[$0] }
        let model = try AttackModel.fit(classifier, members: trainM, nonMembers: trainN)
        aucs.append(try ROCAUC.auc(positives: testM.map(model.score), negatives: testN.map(model.score)))
        heldOutCorrect += testM.filter(model.isMember).count + testN.filter { !model.isMember($0) }.count
      }
    }
    return Result(
      forgetNonMemberPercent: 100 * Double(judgedNonMember) / Double(forgetFeatures.count),
      auc: aucs.isEmpty ? .nan : aucs.reduce(0, +) / Double(aucs.count),
      heldOutAccuracy: k >= 2 ? Accuracy.percent(correct: heldOutCorrect, of: 2 * n) : .nan,
      trainAccuracy: Accuracy.percent(correct: correct, of: 2 * n), trainCount: n, folds: k >= 2 ? k : 0)
  }

  private static func balancedSample(_ v: [Double], _ n: Int, _ rng: inout RandomGenerator) -> [Double] {
    guard v.count > n else { return v }
    return rng.permutation(v.count).prefix(n).map { v[$0] }
  }

  /// The fold (0..<folds) of each of `count` samples: a seeded permutation dealt round-robin, so
  /// fold sizes differ by at most one.
  private static func foldOf(count: Int, folds: Int, _ rng: inout RandomGenerator) -> [Int] {
    var fold = [Int](repeating: 0, count: count)
    for (position, i) in rng.permutation(count).enumerated() { fold[i] = position % folds }
    return fold
  }
}
