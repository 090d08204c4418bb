/// The survey's published figures (Li, Meng, Wang, Hao, Journal of Software 36(4), 2025, §6.2:
/// Tables 13–15 and the text around them; `shared/docs/survey.md` and `shared/seed/`), by Lethe's
/// method and dataset names, for the report to set beside Lethe's own.
enum SurveyReference {
  /// Table 13: speed / usability / completeness of each method.
  static let ratings: [String: (speed: String, usability: String, completeness: String)] = [
    "finetune": ("L", "M", "M"), "unrolling_sgd": ("M", "H", "M"), "sisa": ("M", "L", "H"),
    "deltagrad": ("L", "H", "H"), "unlearnable": ("L", "L", "L"), "linear_filtration": ("H", "L", "L"),
    "cr": ("M", "M", "H"), "sekhari": ("H", "H", "M"), "bad_teacher": ("H", "M", "L"),
  ]

  /// Table 14's columns.
  static let labelCountMetrics = ["speedup", "acc_test", "acc_remained", "acc_deleted", "dist_output", "dist_para"]

  /// Table 14: Spearman's ρ between the label count and each metric (nil: "－" in the paper).
  static let labelCount: [String: [Double?]] = [
    "finetune": [-1.0, -0.9, -0.7, -0.9, 0.7, 0.9],
    "unrolling_sgd": [-1.0, -0.8, -0.3, -0.8, 0.5, 0.9747],
    "sisa": [-0.8, -0.9, -0.3, -0.6, 0.5, nil],
    "deltagrad": [-0.8, -0.9, -0.2887, -0.9, 0.0, nil],
    "unlearnable": [-1.0, -0.7071, -1.0, -0.7071, 0.4, -0.3591],
    "linear_filtration": [-0.3, 0.0, -0.8944, 0.0, 0.3, nil],
    "cr": [-0.3, -0.8944, -0.866, -0.8944, 0.6, 0.4104],
    "sekhari": [0.6, -0.3536, -0.866, -0.3536, 0.6, 0.4104],
    "bad_teacher": [-0.3, -0.9, -0.3667, -0.2593, 0.4, -0.2108],
  ]
  /// The means the text gives for Table 14 (speedup, ACC_test, DIST_output, DIST_para).
  static let labelCountMeans: [String: Double] = [
    "speedup": -0.5429, "acc_test": -0.7061, "dist_output": 0.4444, "dist_para": 0.3542,
  ]

  /// Table 15's pairs.
  static let metricPairs = [("acc_test", "dist_output"), ("acc_test", "dist_para"), ("dist_output", "dist_para")]

  /// Table 15: ρ of each pair over the methods, by scenario ("1%", "1 label", ...) and dataset.
  static let metricPairTable: [String: [String: [Double]]] = [
    "1%": [
      "MNIST": [-0.7818, -0.8182, 0.7455], "CIFAR-10": [-0.5429, -0.1177, 0.3825],
      "Purchase": [-0.8929, -0.3214, 0.4286], "ImageNet subset": [-0.7537, -0.6377, 0.7647],
    ],
    "5%": [
      "MNIST": [-0.4286, -0.5946, 0.7388], "CIFAR-10": [0.0286, -0.1160, 0.8117],
      "Purchase": [-0.6429, -0.7857, 0.4286], "ImageNet subset": [-0.7714, -0.6179, 0.8827],
    ],
    "10%": [
      "MNIST": [-0.7818, -0.8182, 0.7455], "CIFAR-10": [-0.5429, -0.1177, 0.3825],
      "Purchase": [-0.8929, -0.3214, 0.4286], "ImageNet subset": [-0.7714, -0.6377, 0.7537],
    ],
    "1 label": [
      "MNIST": [-0.2857, -0.6307, 0.7388], "CIFAR-10": [-0.6571, -0.1160, 0.6088],
      "ImageNet subset": [-0.7143, -0.6377, 0.7537],
    ],
    "3 labels": [
      "MNIST": [-0.7143, -0.8929, 0.7500], "CIFAR-10": [-0.4857, 0.1449, 0.3479],
      "ImageNet subset": [-0.8857, -0.7247, 0.7537],
    ],
  ]
  /// Table 15's mean row.
  static let metricPairMeans = [-0.6399, -0.4867, 0.6359]

  /// Mean speedup of the methods in sample unlearning, by dataset (§6.2.4).
  static let meanSpeedup: [String: Double] = [
    "Purchase": 1.35, "MNIST": 3.84, "CIFAR-10": 8.91, "ImageNet subset": 37.75,
  ]

  /// Mean |ACC_remained − ACC_deleted| by scenario kind (§6.2.3).
  static let accuracyGap: [SurveyData.Kind: Double] = [.sample: 1.91, .label: 35.93]
  /// ACC_test − mean(ACC_remained, ACC_deleted) in sample unlearning; ACC_test − ACC_remained in
  /// label unlearning (§6.2.3).
  static let testGap: [SurveyData.Kind: Double] = [.sample: -9.40, .label: -12.74]
  /// M_retrain's ACC_remained − ACC_deleted in sample unlearning: Purchase and MNIST together,
  /// CIFAR-10 and the ImageNet subset together (§6.2.4).
  static let retrainGap = (small: 0.271, large: 29.182)

  /// The survey's name of a dataset Lethe shows as `title` ("CIFAR-10 (JPEG, subset)" →
  /// "CIFAR-10"), nil for one the survey did not report.
  /// Synthetic stand-ins have no survey counterpart.
  static func surveyDataset(_ title: String) -> String? {
    guard !title.contains("synthetic") else { return nil }
    return ["MNIST", "CIFAR-10", "Purchase", "ImageNet subset"].first { title.hasPrefix($0) }
  }

  /// The survey's taxonomy (§2–4) for the methods it compares, and for Lethe's other built-ins.
  static let category: [String: String] = [
    "retrain": "retraining", "finetune": "continued training", "unrolling_sgd": "continued training",
    "deltagrad": "continued training", "sisa": "decomposition", "unlearnable": "input editing",
    "linear_filtration": "output editing", "cr": "parameter editing", "sekhari": "parameter editing",
    "neggrad": "parameter editing", "neggrad+": "parameter editing", "bad_teacher": "generation",
    "random_labels": "continued training",
  ]
}
