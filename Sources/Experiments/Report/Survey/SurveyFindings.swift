/// The survey's quantitative findings recomputed from the runs (its §6.2.3–6.2.4), each beside
/// the survey's figure. Method figures leave out `retrain` (its model is M_retrain itself).
struct SurveyFindings {
  /// Mean speedup of the methods in sample unlearning, one dataset.
  struct Speedup {
    var dataset: String
    var model: String
    var wallClock: Double?
    var work: Double?
    var survey: Double?
  }

  var speedups: [Speedup]
  /// Mean |ACC_remained − ACC_deleted| of the methods, by scenario kind.
  var accuracyGap: [SurveyData.Kind: Double]
  /// Sample: ACC_test − mean(ACC_remained, ACC_deleted); label: ACC_test − ACC_remained.
  var testGap: [SurveyData.Kind: Double]
  /// M_retrain's ACC_remained − ACC_deleted in sample unlearning, by dataset.
  var retrainGap: [(dataset: String, gap: Double)]

  init(_ data: SurveyData) {
    let methods = data.entries.filter { $0.method != "retrain" }
    speedups = data.datasets.map { d in
      let runs = methods.filter { $0.dataset == d && $0.kind == .sample }
      return Speedup(
        dataset: d, model: runs.first?.model ?? data.entries.first { $0.dataset == d }?.model ?? "",
        wallClock: SurveyData.mean(runs.compactMap { $0.metrics["speedup"] }),
        work: SurveyData.mean(runs.compactMap { $0.metrics["speedup_work"] }),
        survey: SurveyReference.surveyDataset(d).flatMap { SurveyReference.meanSpeedup[$0] })
    }
    var gap: [SurveyData.Kind: Double] = [:]
    var test: [SurveyData.Kind: Double] = [:]
    for kind in [SurveyData.Kind.sample, .label] {
      let runs = methods.filter { $0.kind == kind }
      gap[kind] = SurveyData.mean(runs.compactMap { e in
        guard let r = e.metrics["acc_remained"], let d = e.metrics["acc_deleted"] else { return nil }
        return abs(r - d)
      })
      test[kind] = SurveyData.mean(runs.compactMap { e in
        guard let t = e.metrics["acc_test"], let r = e.metrics["acc_remained"] else { return nil }
        if kind == .label { return t - r }
        guard let d = e.metrics["acc_deleted"] else { return nil }
        return t - (r + d) / 2
      })
    }
    accuracyGap = gap
    testGap = test
    retrainGap = data.datasets.compactMap { d in
      let runs = data.entries.filter { $0.dataset == d && $0.kind == .sample }
      let gaps = runs.compactMap { e -> Double? in
        guard let r = e.reference["acc_remained_retrain"], let del = e.reference["acc_deleted_retrain"] else { return nil }
        return r - del
      }
      return SurveyData.mean(gaps).map { (d, $0) }
    }
  }

  func markdown() -> String {
    var out = "**Mean speedup of the methods in sample unlearning, by dataset** (`retrain` left out; "
      + "the survey: larger models gain more).\n\n"
    out += "| dataset | model | speedup (wall-clock) | speedup (work) | survey |\n|---|---|---|---|---|\n"
    for s in speedups {
      out += "| \(s.dataset) | \(s.model) | \(RatingsTable.fmt(s.wallClock, 2)) | \(RatingsTable.fmt(s.work, 2)) | "
        + "\(RatingsTable.fmt(s.survey, 2)) |\n"
    }
    out += "\n**Accuracy on D \\ x\\* against x\\*** (the methods' models, mean over runs; points).\n\n"
    out += "| quantity | sample unlearning | label unlearning |\n|---|---|---|\n"
    out += "| mean \\|ACC_remained − ACC_deleted\\| | \(RatingsTable.fmt(accuracyGap[.sample], 2)) (survey "
      + "\(RatingsTable.fmt(SurveyReference.accuracyGap[.sample], 2))) | \(RatingsTable.fmt(accuracyGap[.label], 2)) "
      + "(survey \(RatingsTable.fmt(SurveyReference.accuracyGap[.label], 2))) |\n"
    out += "| ACC_test − mean(ACC_remained, ACC_deleted) (sample); ACC_test − ACC_remained (label) | "
      + "\(RatingsTable.fmt(testGap[.sample], 2)) (survey \(RatingsTable.fmt(SurveyReference.testGap[.sample], 2))) | "
      + "\(RatingsTable.fmt(testGap[.label], 2)) (survey \(RatingsTable.fmt(SurveyReference.testGap[.label], 2))) |\n"
    if !retrainGap.isEmpty {
      out += "\n**M_retrain's own ACC_remained − ACC_deleted in sample unlearning** (the survey: 0.27 on Purchase "
        + "and MNIST together, 29.18 on CIFAR-10 and the ImageNet subset: forgetting matters more where M_retrain "
        + "tells x\\* apart).\n\n| dataset | points |\n|---|---|\n"
      for g in retrainGap { out += "| \(g.dataset) | \(RatingsTable.fmt(g.gap, 2)) |\n" }
    }
    return out
  }
}
