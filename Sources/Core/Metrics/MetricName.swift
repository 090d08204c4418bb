/// The metrics every run records, by the names results files and reports use.
public enum MetricName: String, Sendable, CaseIterable, Codable {
  /// Top-1 accuracy (%) of M_unlearn on the test set (in label unlearning: on the retained
  /// labels' test samples).
  case accTest = "acc_test"
  /// Top-1 accuracy (%) on the retained training data D \ x*.
  case accRemained = "acc_remained"
  /// Top-1 accuracy (%) on the forget set x*.
  case accDeleted = "acc_deleted"
  /// Mean distance between M_unlearn's and M_retrain's softmax outputs (on x* by default).
  case distOutput = "dist_output"
  /// Distance between M_unlearn's and M_retrain's parameters (L2/√count by default).
  case distPara = "dist_para"
  /// Share (%) of x* the membership-inference attack judges non-member.
  case miaEfficacy = "mia_efficacy"
  /// The membership-inference attack's AUC on retained vs test data.
  case miaAUC = "mia_auc"
  /// Zero Retrain Forgetting: 1 − mean JS divergence between M_unlearn's and a randomly
  /// initialised model's outputs on x*.
  case zrf
  /// T_retrain / T_unlearn, wall-clock.
  case speedup
  /// Retraining's counted work over the method's (`WorkMeter`): deterministic.
  case speedupWork = "speedup_work"

  /// The name shown in table headers.
  public var title: String {
    switch self {
    case .accTest: return "ACC_test"
    case .accRemained: return "ACC_remained"
    case .accDeleted: return "ACC_deleted"
    case .distOutput: return "DIST_output"
    case .distPara: return "DIST_para"
    case .miaEfficacy: return "MIA"
    case .miaAUC: return "MIA_AUC"
    case .zrf: return "ZRF"
    case .speedup: return "Speedup"
    case .speedupWork: return "Speedup_work"
    }
  }

  /// The metric called `name` (its raw value or its title), or an error listing the valid names.
  public static func named(_ name: String) throws -> MetricName {
    if let m = MetricName(rawValue: name) ?? allCases.first(where: { $0.title == name }) { return m }
    throw MetricError.unknownName(kind: "metric", name: name, valid: allCases.map(\.rawValue))
  }
}
