/// A fitted membership-inference classifier over one feature: a member score (higher = more
/// likely a member; what the AUC ranks) and the decision.
struct AttackModel {
  /// The member score of a feature value.
  let score: (Double) -> Double
  /// Whether a feature value is judged a member.
  let isMember: (Double) -> Bool

  /// `classifier` trained on `members` (label 1) and `nonMembers` (label 0).
  static func fit(_ classifier: MembershipInference.Classifier, members: [Double], nonMembers: [Double]) throws
    -> AttackModel
  {
    switch classifier {
    case .logistic:
      let m = LogisticAttack(members: members, nonMembers: nonMembers)
      return AttackModel(score: m.probability, isMember: { m.probability($0) >= 0.5 })
    case .threshold:
      // A hard decision: its AUC is the balanced accuracy.
      let m = ThresholdAttack(members: members, nonMembers: nonMembers)
      return AttackModel(score: m.decision, isMember: { m.decision($0) >= 0.5 })
    case .svc:
      let m = try SupportVectorAttack(members: members, nonMembers: nonMembers)
      return AttackModel(score: m.decisionValue, isMember: { m.decisionValue($0) >= 0 })
    }
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
