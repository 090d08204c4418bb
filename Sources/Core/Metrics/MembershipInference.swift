/// The membership-inference attack most unlearning papers report.
///
/// Each sample's softmax output is reduced to one feature (its entropy or its confidence);
/// a classifier on that feature is trained with the retained data as members and the test set
/// as non-members (the larger side subsampled, seeded, to the size of the smaller so that the
/// classes are balanced), then applied to the forget set. A well-unlearned forget set looks
/// like unseen data: a high share of it is judged non-member.
public enum MembershipInference {
  /// The per-sample feature the attack sees.
  public enum Feature: String, Sendable, CaseIterable, Codable {
    /// Shannon entropy of the softmax output (nats). The default.
    case entropy
    /// The largest softmax probability.
    case confidence

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

    /// The classifier called `name`, or an error listing the valid names.
    public static func named(_ name: String) throws -> Classifier {
      guard let c = Classifier(rawValue: name) else {
        throw MetricError.unknownName(kind: "attack classifier", name: name, valid: allCases.map(\.rawValue))
      }
      return c
    }
  }

  /// What the attack found.
  public struct Result: Sendable, Equatable, Codable {
    /// Percentage (0...100) of the forget set judged non-member: the attack's efficacy.
    public var forgetNonMemberPercent: Double
    /// ROC AUC of the attack's member score on its training data (retained vs test): how well
    /// the feature separates members from non-members at all (0.5 = not at all).
    public var auc: Double
    /// Accuracy (%, 0...100) of the attack on its own balanced training data.
    public var trainAccuracy: Double
    /// Members and non-members used for training (equal after balancing).
    public var trainCount: Int
  }

  /// The feature of every row of `outputs` (logits, softmax applied here).
  public static func features(_ outputs: OutputMatrix, _ feature: Feature) -> [Double] {
    outputs.softmaxRows().map { p in
      switch feature {
      case .entropy: return -p.reduce(0) { $0 + ($1 > 0 ? $1 * libmLog($1) : 0) }
      case .confidence: return p.max() ?? 0
      }
    }
  }

  /// Runs the attack on model outputs (logits) for the three splits (defaults: `Options()`).
  public static func attack(
    retained: OutputMatrix, test: OutputMatrix, forget: OutputMatrix,
    feature: Feature = Options().feature, classifier: Classifier = Options().classifier,
    seed: UInt64 = Options().seed
  ) throws -> Result {
    try attack(
      memberFeatures: features(retained, feature), nonMemberFeatures: features(test, feature),
      forgetFeatures: features(forget, feature), classifier: classifier, seed: seed)
  }

  /// Runs the attack on precomputed features.
  public static func attack(
    memberFeatures: [Double], nonMemberFeatures: [Double], forgetFeatures: [Double],
    classifier: Classifier = Options().classifier, seed: UInt64 = Options().seed
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
    var rng = RandomGenerator(seed: seed)
    let n = min(memberFeatures.count, nonMemberFeatures.count)
    let members = balancedSample(memberFeatures, n, &rng)
    let nonMembers = balancedSample(nonMemberFeatures, n, &rng)
    let score: (Double) -> Double
    switch classifier {
    case .logistic: score = LogisticAttack(members: members, nonMembers: nonMembers).probability
    case .threshold: score = ThresholdAttack(members: members, nonMembers: nonMembers).decision
    }
    let memberScores = members.map(score)
    let nonMemberScores = nonMembers.map(score)
    let correct = memberScores.filter { $0 >= 0.5 }.count + nonMemberScores.filter { $0 < 0.5 }.count
    let judgedNonMember = forgetFeatures.filter { score($0) < 0.5 }.count
    // AUC of the raw feature in the direction the classifier learned equals the classifier's
    // AUC without the flat regions a hard threshold would create.
    let direction = direction(memberScores, nonMemberScores, members, nonMembers)
    let auc = try ROCAUC.auc(
      positives: members.map { direction * $0 }, negatives: nonMembers.map { direction * $0 })
    return Result(
      forgetNonMemberPercent: 100 * Double(judgedNonMember) / Double(forgetFeatures.count),
      auc: auc, trainAccuracy: Accuracy.percent(correct: correct, of: 2 * n), trainCount: n)
  }

  private static func balancedSample(_ v: [Double], _ n: Int, _ rng: inout RandomGenerator) -> [Double] {
    guard v.count > n else { return v }
    return rng.permutation(v.count).prefix(n).map { v[$0] }
  }

  /// +1 when larger features mean "member" to the classifier, −1 otherwise.
  private static func direction(
    _ memberScores: [Double], _ nonMemberScores: [Double], _ members: [Double], _ nonMembers: [Double]
  ) -> Double {
    let all = zip(members + nonMembers, memberScores + nonMemberScores).sorted { $0.0 < $1.0 }
    guard let lo = all.first, let hi = all.last else { return 1 }
    return hi.1 >= lo.1 ? 1 : -1
  }
}

/// A one-feature logistic regression: P(member | x) = σ(w·(x − μ)/σ + b), fitted by Newton's
/// method on the mean log-loss plus 1e-4·w²/2.
struct LogisticAttack {
  private var w = 0.0
  private var b = 0.0
  private let mu: Double
  private let sd: Double

  init(members: [Double], nonMembers: [Double]) {
    let x = members + nonMembers
    let y = [Double](repeating: 1, count: members.count) + [Double](repeating: 0, count: nonMembers.count)
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    let scale = variance > 0 ? variance.squareRoot() : 1
    mu = mean
    sd = scale
    let z = x.map { ($0 - mean) / scale }
    let lambda = 1e-4
    for _ in 0..<100 {
      var gw = lambda * w
      var gb = 0.0
      var hww = lambda
      var hwb = 0.0
      var hbb = 0.0
      for i in z.indices {
        let p = LogisticAttack.sigmoid(w * z[i] + b)
        let r = (p - y[i]) / n
        let s = max(p * (1 - p), 1e-12) / n
        gw += r * z[i]
        gb += r
        hww += s * z[i] * z[i]
        hwb += s * z[i]
        hbb += s
      }
      let det = hww * hbb - hwb * hwb
      guard det > 1e-300 else { break }
      let dw = (hbb * gw - hwb * gb) / det
      let db = (hww * gb - hwb * gw) / det
      w -= dw
      b -= db
      if abs(dw) + abs(db) < 1e-10 { break }
    }
  }

  func probability(_ x: Double) -> Double { LogisticAttack.sigmoid(w * (x - mu) / sd + b) }

  static func sigmoid(_ t: Double) -> Double {
    t >= 0 ? 1 / (1 + libmExp(-t)) : libmExp(t) / (1 + libmExp(t))
  }
}

/// The threshold t and direction with the best training accuracy: member when d·(x − t) ≥ 0.
/// Thresholds are taken midway between consecutive distinct training values.
struct ThresholdAttack {
  private var threshold = 0.0
  private var direction = 1.0

  init(members: [Double], nonMembers: [Double]) {
    let labelled = (members.map { ($0, true) } + nonMembers.map { ($0, false) }).sorted { $0.0 < $1.0 }
    let total = labelled.count
    let memberCount = members.count
    // Sweep thresholds from below every value upwards, counting members below the cut.
    var membersBelow = 0
    var best = -1
    var i = 0
    var cut = (labelled.first?.0 ?? 0) - 1
    while true {
      let below = i
      let nonMembersBelow = below - membersBelow
      // direction +1: members are >= cut; direction -1: members are < cut.
      let up = (memberCount - membersBelow) + nonMembersBelow
      let down = membersBelow + (total - memberCount - nonMembersBelow)
      if up > best { best = up; threshold = cut; direction = 1 }
      if down > best { best = down; threshold = cut; direction = -1 }
      guard i < total else { break }
      let value = labelled[i].0
      while i < total && labelled[i].0 == value {
        if labelled[i].1 { membersBelow += 1 }
        i += 1
      }
      cut = i < total ? (value + labelled[i].0) / 2 : value + 1
    }
  }

  /// 1 for member, 0 for non-member.
  func decision(_ x: Double) -> Double {
    direction > 0 ? (x >= threshold ? 1 : 0) : (x < threshold ? 1 : 0)
  }
}
