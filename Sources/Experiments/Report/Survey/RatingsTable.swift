import Foundation

/// Table 13: each method rated L / M / H for speed, usability and completeness by a stated rule,
/// over its sample- and label-unlearning runs on every dataset (label-count runs are Table 14's):
///
/// - **speed**: the geometric mean of the wall-clock speedup T_retrain / T_unlearn —
///   H at 10× or more, M from 2× to 10×, L below 2×;
/// - **usability**: the mean of ACC_test(M_unlearn) − ACC_test(M_retrain), in points, each run
///   against its own M_retrain — H at −2 or better, M from −10 to −2, L below −10;
/// - **completeness**: the mean over runs of how much of M0's distance to M_retrain is left,
///   ½ (DIST_output / DIST_output(M0) + DIST_para / DIST_para(M0)) — H at 0.5 or less (more than
///   half the distance closed), M up to 1 (closer than M0), L above 1 (farther from M_retrain than
///   M0 was).
struct RatingsTable {
  struct Row {
    var method: String
    var runs: Int
    var speedup: Double?
    var workSpeedup: Double?
    var usability: Double?
    var completeness: Double?
    var speed: String
    var usabilityRating: String
    var completenessRating: String
  }

  static let speedThresholds = (high: 10.0, medium: 2.0)
  static let usabilityThresholds = (high: -2.0, medium: -10.0)
  static let completenessThresholds = (high: 0.5, medium: 1.0)

  var rows: [Row]

  init(_ data: SurveyData) {
    rows = data.methods.compactMap { method in
      let runs = data.select(kinds: [.sample, .label], method: method)
      guard !runs.isEmpty else { return nil }
      let speedup = SurveyData.geometricMean(runs.compactMap { $0.metrics["speedup"] })
      let work = SurveyData.geometricMean(runs.compactMap { $0.metrics["speedup_work"] })
      let usability = SurveyData.mean(runs.compactMap { e in
        guard let a = e.metrics["acc_test"], let r = e.reference["acc_test_retrain"] else { return nil }
        return a - r
      })
      let completeness = SurveyData.mean(runs.compactMap { e -> Double? in
        var shares: [Double] = []
        for m in ["dist_output", "dist_para"] {
          if let d = e.metrics[m], let d0 = e.reference[m + "_m0"], d0 > 0 { shares.append(d / d0) }
        }
        return SurveyData.mean(shares)
      })
      return Row(
        method: method, runs: runs.count, speedup: speedup, workSpeedup: work, usability: usability,
        completeness: completeness,
        speed: speedup.map { $0 >= Self.speedThresholds.high ? "H" : $0 >= Self.speedThresholds.medium ? "M" : "L" } ?? "–",
        usabilityRating: usability.map {
          $0 >= Self.usabilityThresholds.high ? "H" : $0 >= Self.usabilityThresholds.medium ? "M" : "L"
        } ?? "–",
        completenessRating: completeness.map {
          $0 <= Self.completenessThresholds.high ? "H" : $0 <= Self.completenessThresholds.medium ? "M" : "L"
        } ?? "–")
    }
  }

  /// The rule, as the report states it.
  static let rule = """
    Ratings over each method's sample- and label-unlearning runs on every dataset (each run against \
    its own M_retrain and M0): **speed** from the geometric mean of the wall-clock speedup — H ≥ 10×, \
    M 2–10×, L < 2× (the work-based speedup is shown beside it); **usability** from the mean of \
    ACC_test(M_unlearn) − ACC_test(M_retrain) — H ≥ −2 points, M −10 to −2, L < −10; **completeness** \
    from the mean share of M0's distance to M_retrain left, ½(DIST_output/DIST_output(M0) + \
    DIST_para/DIST_para(M0)) — H ≤ 0.5, M ≤ 1, L > 1 (farther from M_retrain than M0 was).
    """

  /// Letters agreeing with the survey's, of the letters compared.
  var agreement: (same: Int, compared: Int) {
    var same = 0, compared = 0
    for r in rows {
      guard let s = SurveyReference.ratings[r.method] else { continue }
      for (ours, theirs) in [(r.speed, s.speed), (r.usabilityRating, s.usability), (r.completenessRating, s.completeness)]
      where ours != "–" {
        compared += 1
        if ours == theirs { same += 1 }
      }
    }
    return (same, compared)
  }

  func markdown() -> String {
    var lines = [
      "| method | runs | speedup (geo. mean) | speedup, work | ΔACC_test vs M_retrain (points) | distance left | "
        + "ours S/U/C | survey S/U/C |",
      "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows {
      let survey = SurveyReference.ratings[r.method].map { "\($0.speed)/\($0.usability)/\($0.completeness)" } ?? "—"
      lines.append(
        "| \(r.method) | \(r.runs) | \(Self.fmt(r.speedup, 2)) | \(Self.fmt(r.workSpeedup, 2)) | "
          + "\(Self.fmt(r.usability, 1)) | \(Self.fmt(r.completeness, 2)) | "
          + "\(r.speed)/\(r.usabilityRating)/\(r.completenessRating) | \(survey) |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  func csv() -> String {
    var lines = ["method,runs,speedup_geomean,speedup_work_geomean,usability_points,completeness_left,speed,usability,completeness,survey_speed,survey_usability,survey_completeness"]
    for r in rows {
      let s = SurveyReference.ratings[r.method]
      lines.append(
        [r.method, "\(r.runs)", r.speedup.map { "\($0)" } ?? "", r.workSpeedup.map { "\($0)" } ?? "",
          r.usability.map { "\($0)" } ?? "", r.completeness.map { "\($0)" } ?? "", r.speed, r.usabilityRating,
          r.completenessRating, s?.speed ?? "", s?.usability ?? "", s?.completeness ?? ""].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func fmt(_ v: Double?, _ decimals: Int) -> String {
    v.map { ChartAxis.format($0, decimals: decimals) } ?? "–"
  }
}
