import CLua
import Core
import Methods

/// `lethe.metrics` beyond accuracy: the survey's distances, the membership-inference attack,
/// Spearman's ρ and mean ± std, over models and datasets from Lua (definitions: docs/metrics.md).
enum MetricsLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "metrics", doc: "The survey's metrics: accuracy, output and parameter distances, membership inference, "
        + "Spearman's rho, mean ± std (definitions in docs/metrics.md).",
      example: "print(lethe.metrics.spearman({1, 2, 2, 3}, {1, 3, 2, 4}))")
    r.function("metrics", "output_distance",
      "output_distance(model_a, model_b, dataset [, 'l2'|'js']) -> number",
      "DIST_output: mean over samples of the L2 distance (or JS divergence) between the two models' softmax outputs.") {
      call in
      let a = try logits(call, 1, 3)
      let b = try logits(call, 2, 3)
      let kind = try OutputDistance.Kind.named(try call.string(4, default: "l2") ?? "l2")
      call.push(try OutputDistance.mean(a, b, kind: kind))
      return 1
    }
    r.function("metrics", "parameter_distance",
      "parameter_distance(model, reference [, 'l2_normalized'|'l2'|'relative']) -> number",
      "DIST_para between two models of the same architecture: ‖Δ‖/√count by default, plain L2, or ‖Δ‖/‖reference‖.") {
      call in
      let a = try call.module(1).parameterVector().storage
      let b = try call.module(2).parameterVector().storage
      let kind = try ParameterDistance.Kind.named(try call.string(3, default: "l2_normalized") ?? "l2_normalized")
      call.push(try ParameterDistance.distance(a, b, kind: kind))
      return 1
    }
    r.function("metrics", "mia",
      "mia(model, retained, test, forget [, \(MembershipInference.Options.optionSpecs().luaSignature)]) "
        + "-> {efficacy, auc, held_out_accuracy, train_accuracy}",
      "Membership inference: trained on retained (members) vs test (non-members), applied to forget; "
        + "efficacy = % of forget judged non-member; auc = held-out (k-fold) AUC; train_accuracy = the "
        + "attack's accuracy (%) on its training data.") { call in
      let o = try LuaConfigReader.read(call, 5, base: MembershipInference.Options())
      let retained = try labelledLogits(call, 1, 2)
      let test = try labelledLogits(call, 1, 3)
      let forget = try labelledLogits(call, 1, 4)
      let result = try MembershipInference.attack(
        retained: retained.outputs, retainedLabels: retained.labels, test: test.outputs, testLabels: test.labels,
        forget: forget.outputs, forgetLabels: forget.labels, feature: o.feature, classifier: o.classifier,
        folds: o.folds, seed: o.seed)
      lua_createtable(call.L, 0, 4)
      call.setField("efficacy") { call.push(result.forgetNonMemberPercent) }
      call.setField("auc") { call.push(result.auc) }
      call.setField("held_out_accuracy") { call.push(result.heldOutAccuracy) }
      call.setField("train_accuracy") { call.push(result.trainAccuracy) }
      return 1
    }
    r.function("metrics", "spearman", "spearman({x...}, {y...}) -> rho",
      "Spearman's rank correlation with average ranks for ties (SciPy's spearmanr); NaN when a side is constant.") {
      call in
      call.push(try Spearman.rho(try call.numbers(1), try call.numbers(2)))
      return 1
    }
    r.function("metrics", "summary", "summary({x...}) -> {mean, std, count}",
      "Mean and sample standard deviation (n − 1), as reports give over seeds.") { call in
      let s = try Summary(try call.numbers(1))
      lua_createtable(call.L, 0, 3)
      call.setField("mean") { call.push(s.mean) }
      call.setField("std") { call.push(s.std) }
      call.setField("count") { call.push(s.count) }
      return 1
    }
  }

  /// The logits of the model at `m` over the dataset at `d`.
  static func logits(_ call: LuaCall, _ m: Int32, _ d: Int32) throws -> OutputMatrix {
    try OutputMatrix(Evaluation.logits(of: try call.module(m), on: try call.dataset(d)))
  }

  /// The logits of the model at `m` over the dataset at `d`, with the dataset's labels.
  static func labelledLogits(_ call: LuaCall, _ m: Int32, _ d: Int32) throws -> (outputs: OutputMatrix, labels: [Int]) {
    let (logits, labels) = try Evaluation.outputs(of: try call.module(m), on: try call.dataset(d))
    return (try OutputMatrix(logits), labels)
  }
}
