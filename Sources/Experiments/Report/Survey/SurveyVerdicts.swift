/// Each finding the survey states (the end of `shared/docs/survey.md`), Lethe's figure beside it,
/// and whether the runs reproduce it, by rules stated with each:
///
/// - a correlation is **reproduced** when ours has the survey's sign and |ρ| ≥ 0.3, **partly** when
///   it has the sign but is weaker, **not** when the sign is the other;
/// - a ranking or a set of sub-claims is **reproduced** when every part holds, **partly** when some
///   do, **not** when none does;
/// - **not measurable** when the runs lack what the claim needs (a method category, a sweep, a
///   dataset).
struct SurveyVerdicts {
  struct Verdict {
    var claim: String
    var survey: String
    var ours: String
    var verdict: String
  }

  var verdicts: [Verdict] = []

  static let reproduced = "reproduced", partly = "partly reproduced", not = "not reproduced"
  static let unmeasurable = "not measurable here"

  init(
    ratings: RatingsTable, labelCount: LabelCountTable, pairs: MetricPairTable, findings: SurveyFindings
  ) {
    verdicts.append(Self.categories(ratings))
    let (same, compared) = ratings.agreement
    verdicts.append(
      Verdict(
        claim: "Table 13's ratings (speed/usability/completeness) per method", survey: "27 letters for 9 methods",
        ours: compared == 0 ? "no rated survey method ran" : "\(same) of \(compared) letters agree",
        verdict: compared == 0
          ? Self.unmeasurable
          : Double(same) >= 2.0 / 3.0 * Double(compared)
            ? Self.reproduced : Double(same) >= Double(compared) / 3.0 ? Self.partly : Self.not))
    for (metric, claim) in [
      ("speedup", "Speedup falls as the label count grows"), ("acc_test", "ACC_test falls as the label count grows"),
      ("dist_output", "DIST_output rises with the label count"), ("dist_para", "DIST_para rises with the label count"),
    ] {
      let theirs = SurveyReference.labelCountMeans[metric]!
      verdicts.append(Self.correlation(claim + " (Table 14, mean ρ)", theirs, labelCount.means[metric]))
    }
    verdicts.append(Self.trainingBasedSlowdown(labelCount))
    let names = ["ACC_test and DIST_output correlate negatively", "ACC_test and DIST_para correlate negatively",
      "DIST_output and DIST_para correlate positively"]
    for (i, claim) in names.enumerated() {
      verdicts.append(Self.correlation(claim + " (Table 15, mean ρ)", SurveyReference.metricPairMeans[i], pairs.means[i]))
    }
    verdicts.append(Self.speedupGrowsWithModelSize(findings))
    verdicts.append(Self.accuracyGap(findings))
  }

  static func fmt(_ v: Double?) -> String { RatingsTable.fmt(v, 2) }

  static func correlation(_ claim: String, _ theirs: Double, _ ours: Double?) -> Verdict {
    guard let ours else { return Verdict(claim: claim, survey: fmt(theirs), ours: "–", verdict: unmeasurable) }
    let sameSign = (ours < 0) == (theirs < 0) && ours != 0
    let v = sameSign ? (abs(ours) >= 0.3 ? reproduced : partly) : not
    return Verdict(claim: claim, survey: fmt(theirs), ours: fmt(ours), verdict: v)
  }

  /// "Parameter-editing methods are fastest with mid-to-high usability and completeness;
  /// continued training is slow but usable and complete; input/output editing scores low on both."
  static func categories(_ ratings: RatingsTable) -> Verdict {
    let claim = "Parameter editing is fastest with mid-to-high usability and completeness; continued training "
      + "slow but usable and complete; input/output editing low on both (Table 13 by category)"
    func score(_ letter: String) -> Double? { ["L": 0, "M": 1, "H": 2][letter] }
    func mean(_ category: Set<String>, _ key: (RatingsTable.Row) -> String) -> Double? {
      SurveyData.mean(ratings.rows.filter { category.contains(SurveyReference.category[$0.method] ?? "") }.compactMap { score(key($0)) })
    }
    let editing: Set<String> = ["parameter editing"], continued: Set<String> = ["continued training"]
    let io: Set<String> = ["input editing", "output editing"]
    var checks: [(String, Bool?)] = []
    let others = Set(ratings.rows.compactMap { SurveyReference.category[$0.method] }).subtracting(editing).subtracting(["retraining"])
    if let e = mean(editing, \.speed) {
      let rest = others.compactMap { mean([$0], \.speed) }
      checks.append(("parameter editing fastest", rest.isEmpty ? nil : rest.allSatisfy { e >= $0 }))
      checks.append(("parameter editing usability ≥ M", mean(editing, \.usabilityRating).map { $0 >= 1 }))
      checks.append(("parameter editing completeness ≥ M", mean(editing, \.completenessRating).map { $0 >= 1 }))
    }
    if let c = mean(continued, \.speed) {
      checks.append(("continued training slow (≤ M)", c <= 1))
      checks.append(("continued training usability ≥ M", mean(continued, \.usabilityRating).map { $0 >= 1 }))
      checks.append(("continued training completeness ≥ M", mean(continued, \.completenessRating).map { $0 >= 1 }))
    }
    if let u = mean(io, \.usabilityRating), let c = mean(io, \.completenessRating) {
      checks.append(("input/output editing low on both (< M)", u < 1 && c < 1))
    }
    let decided = checks.compactMap { c in c.1.map { (c.0, $0) } }
    guard !decided.isEmpty else {
      return Verdict(claim: claim, survey: "see Table 13", ours: "the categories did not run", verdict: unmeasurable)
    }
    let held = decided.filter(\.1).map(\.0), failed = decided.filter { !$0.1 }.map(\.0)
    var ours = "holds: " + (held.isEmpty ? "none" : held.joined(separator: "; "))
    if !failed.isEmpty { ours += "; fails: " + failed.joined(separator: "; ") }
    let v = failed.isEmpty ? reproduced : held.isEmpty ? not : partly
    return Verdict(claim: claim, survey: "see Table 13", ours: ours, verdict: v)
  }

  /// "... most for training-based methods": their mean |ρ(K, speedup)| exceeds the others'.
  static func trainingBasedSlowdown(_ t: LabelCountTable) -> Verdict {
    let claim = "The speedup's fall with the label count is steepest for training-based methods (Table 14)"
    let training: Set<String> = ["continued training", "decomposition"]
    let isTraining = { (m: String) in training.contains(SurveyReference.category[m] ?? "") }
    let a = t.categoryMean("speedup", where: isTraining)
    let b = t.categoryMean("speedup", where: { !isTraining($0) && $0 != "retrain" })
    guard let a, let b else {
      return Verdict(claim: claim, survey: "training-based ρ −0.80 to −1.00", ours: "–", verdict: unmeasurable)
    }
    let ours = "training-based mean ρ \(fmt(a)), others \(fmt(b))"
    return Verdict(
      claim: claim, survey: "training-based ρ −0.80 to −1.00", ours: ours,
      verdict: a < b && a < 0 ? reproduced : a < 0 ? partly : not)
  }

  /// "Mean speedup grows with model size: Purchase 1.35, MNIST 3.84, CIFAR-10 8.91, ImageNet
  /// subset 37.75": the mean over each model type's datasets rises MLP → CNN → ResNet-18.
  static func speedupGrowsWithModelSize(_ f: SurveyFindings) -> Verdict {
    let claim = "Mean speedup in sample unlearning grows with model size (MLP < CNN < ResNet-18)"
    let survey = "Purchase 1.35, MNIST 3.84, CIFAR-10 8.91, ImageNet subset 37.75"
    let order = ["mlp", "cnn", "resnet18"]
    let byModel = order.compactMap { m -> (String, Double)? in
      SurveyData.mean(f.speedups.filter { $0.model == m }.compactMap(\.wallClock)).map { (m, $0) }
    }
    guard byModel.count >= 2 else {
      return Verdict(claim: claim, survey: survey, ours: byModel.map { "\($0.0) \(fmt($0.1))" }.joined(separator: ", "),
        verdict: unmeasurable + " (one model size)")
    }
    let rising = zip(byModel, byModel.dropFirst()).filter { $0.1.1 > $0.0.1 }.count
    let ours = byModel.map { "\($0.0) \(fmt($0.1))" }.joined(separator: " → ")
    return Verdict(
      claim: claim, survey: survey, ours: ours,
      verdict: rising == byModel.count - 1 ? reproduced : rising > 0 ? partly : not)
  }

  /// "In label unlearning ACC_remained and ACC_deleted differ by about 36 points; in sample
  /// unlearning by about 2."
  static func accuracyGap(_ f: SurveyFindings) -> Verdict {
    let claim = "|ACC_remained − ACC_deleted| is large in label unlearning and small in sample unlearning"
    let survey = "label 35.93, sample 1.91"
    guard let label = f.accuracyGap[.label], let sample = f.accuracyGap[.sample] else {
      return Verdict(claim: claim, survey: survey, ours: "–", verdict: unmeasurable)
    }
    let ours = "label \(fmt(label)), sample \(fmt(sample))"
    let v = label >= sample + 10 && sample <= 5 ? reproduced : label > sample ? partly : not
    return Verdict(claim: claim, survey: survey, ours: ours, verdict: v)
  }

  func markdown() -> String {
    var lines = ["| # | the survey's finding | survey | Lethe | verdict |", "|---|---|---|---|---|"]
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    for (i, v) in verdicts.enumerated() {
      lines.append("| \(i + 1) | \(cell(v.claim)) | \(cell(v.survey)) | \(cell(v.ours)) | **\(v.verdict)** |")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
