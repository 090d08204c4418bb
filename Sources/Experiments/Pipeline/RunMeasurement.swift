import Core
import Methods

/// A model's outputs (logits with labels) on the splits a run measures: the test set, the
/// retained data (a seeded subsample when `retained_limit` is set) and the forget set.
struct SplitOutputs {
  var test: (outputs: OutputMatrix, labels: [Int])
  var kept: (outputs: OutputMatrix, labels: [Int])
  var forget: (outputs: OutputMatrix, labels: [Int])
}

extension RunPipeline {
  /// The retained positions the metrics evaluate: all, or a seeded subsample of `limit`.
  func evaluatedRetained(_ request: ForgetRequest, seed: UInt64) -> [Int] {
    let retained = request.retained
    let limit = metricOptions.retainedEvaluationLimit
    guard limit > 0 && retained.count > limit else { return retained }
    var rng = RandomGenerator(seed: seed ^ 0xE7A1)
    return rng.permutation(retained.count).prefix(limit).map { retained[$0] }.sorted()
  }

  /// `learner`'s outputs on the three splits, without the `excluding` classes.
  func splitOutputs(
    _ learner: Learner, data: ExperimentCatalog.Splits, request: ForgetRequest, seed: UInt64,
    excluding removed: [Int] = []
  ) throws -> SplitOutputs {
    SplitOutputs(
      test: try outputs(learner, data.test, excluding: removed),
      kept: try outputs(learner, data.train, evaluatedRetained(request, seed: seed), excluding: removed),
      forget: try outputs(learner, data.train, request.forget, excluding: removed))
  }

  /// ACC_test (on the retained labels' test samples in label unlearning), ACC_remained and
  /// ACC_deleted of `o`.
  func accuracies(_ o: SplitOutputs, scenario: ForgetScenario, testCount: Int, classCount: Int) throws
    -> [String: Double]
  {
    var m: [String: Double] = [:]
    if scenario.testRetainIndices.count < testCount {
      let subset = scenario.testRetainIndices
      let rows = try OutputMatrix(
        values: subset.flatMap { o.test.outputs.row($0) }, rowCount: subset.count, classCount: classCount)
      m[MetricName.accTest.rawValue] = try Accuracy.top1(outputs: rows, labels: subset.map { o.test.labels[$0] })
    } else {
      m[MetricName.accTest.rawValue] = try Accuracy.top1(outputs: o.test.outputs, labels: o.test.labels)
    }
    m[MetricName.accRemained.rawValue] = try Accuracy.top1(outputs: o.kept.outputs, labels: o.kept.labels)
    m[MetricName.accDeleted.rawValue] = try Accuracy.top1(outputs: o.forget.outputs, labels: o.forget.labels)
    return m
  }

  /// The split DIST_output compares on.
  func distanceSplit(_ o: SplitOutputs) -> OutputMatrix {
    switch metricOptions.outputSplit {
    case .forget: return o.forget.outputs
    case .retained: return o.kept.outputs
    case .test: return o.test.outputs
    }
  }

  /// Every metric except the speedups for `model` (outputs `own`) against M_retrain `reference`
  /// (outputs `r`). `original` is M0 and `untrained` M0's initialisation (ZRF's randomly
  /// initialised model), both shaped as `model`.
  func measure(
    _ model: Learner, _ own: SplitOutputs, reference: Learner, _ r: SplitOutputs, original: Learner,
    untrained: Learner, data: ExperimentCatalog.Splits, request: ForgetRequest, scenario: ForgetScenario, seed: UInt64
  ) throws -> [String: Double] {
    var m = try accuracies(own, scenario: scenario, testCount: data.test.sampleCount, classCount: model.classCount)
    m[MetricName.distOutput.rawValue] = try OutputDistance.mean(
      distanceSplit(own), distanceSplit(r), kind: metricOptions.outputDistance)
    m[MetricName.distPara.rawValue] = try ParameterDistance.meanDistance(
      model.parameterPairs(against: reference, original: original), kind: metricOptions.parameterDistance)
    m[MetricName.zrf.rawValue] = try ZeroRetrainForgetting.score(
      own.forget.outputs, incompetent: try outputs(untrained, data.train, request.forget).outputs)
    let attack = try MembershipInference.attack(
      retained: own.kept.outputs, retainedLabels: own.kept.labels, test: own.test.outputs,
      testLabels: own.test.labels, forget: own.forget.outputs, forgetLabels: own.forget.labels,
      feature: metricOptions.attackFeature, classifier: metricOptions.attackClassifier,
      folds: metricOptions.attackFolds, seed: seed)
    m[MetricName.miaEfficacy.rawValue] = attack.forgetNonMemberPercent
    m[MetricName.miaAUC.rawValue] = attack.auc
    return m
  }

  /// What a run's metrics are read against: M_retrain's own accuracies (`acc_test_retrain`, ...)
  /// and M0's DIST_output and DIST_para to M_retrain (`dist_output_m0`, `dist_para_m0`).
  func baseline(
    original: Learner, reference: Learner, _ r: SplitOutputs, scenario: ForgetScenario, testCount: Int,
    data: ExperimentCatalog.Splits, request: ForgetRequest, seed: UInt64
  ) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for (k, v) in try accuracies(r, scenario: scenario, testCount: testCount, classCount: reference.classCount) {
      out[k + "_retrain"] = v
    }
    let m0Split: OutputMatrix
    switch metricOptions.outputSplit {
    case .forget: m0Split = try outputs(original, data.train, request.forget).outputs
    case .retained: m0Split = try outputs(original, data.train, evaluatedRetained(request, seed: seed)).outputs
    case .test: m0Split = try outputs(original, data.test).outputs
    }
    out["dist_output_m0"] = try OutputDistance.mean(m0Split, distanceSplit(r), kind: metricOptions.outputDistance)
    out["dist_para_m0"] = try ParameterDistance.meanDistance(
      original.parameterPairs(against: reference, original: original), kind: metricOptions.parameterDistance)
    return out
  }
}
