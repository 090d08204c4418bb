import Core
import Methods

/// How a pipeline measures the variant metrics: which output distance, on which split, which
/// parameter distance, which attack.
public struct MetricOptions: Sendable, Equatable {
  /// The split DIST_output compares on.
  public enum Split: String, Sendable, CaseIterable {
    /// The forget set x* (the default).
    case forget
    /// The retained data D \ x*.
    case retained
    /// The test set.
    case test
  }

  /// DIST_output's divergence (L2 by default).
  public var outputDistance: OutputDistance.Kind = .l2
  /// DIST_output's split (the forget set by default).
  public var outputSplit: Split = .forget
  /// DIST_para's variant (L2/√count by default).
  public var parameterDistance: ParameterDistance.Kind = .normalizedL2
  /// The attack's feature.
  public var attackFeature: MembershipInference.Feature = .entropy
  /// The attack's classifier.
  public var attackClassifier: MembershipInference.Classifier = .logistic
  /// Cross-validation folds of the attack's held-out AUC.
  public var attackFolds = MembershipInference.defaultFolds
  /// At most this many retained samples are evaluated for ACC_remained and the attack (a seeded
  /// subsample); 0 evaluates all of them.
  public var retainedEvaluationLimit = 0

  /// Defaults.
  public init() {}

  /// The option specs a schedule's `metrics` table accepts.
  public static let specs: [OptionSpec] = [
    OptionSpec("dist_output", .string, default: .string("l2"), doc: "l2 or js"),
    OptionSpec("dist_output_split", .string, default: .string("forget"), doc: "forget, retained or test"),
    OptionSpec("dist_para", .string, default: .string("l2_normalized"), doc: "l2_normalized, l2 or relative"),
    OptionSpec("mia_feature", .string, default: .string("entropy"),
      doc: "entropy, confidence, label_confidence, modified_entropy or loss"),
    OptionSpec("mia_classifier", .string, default: .string("logistic"), doc: "logistic, threshold or svc"),
    OptionSpec("mia_folds", .integer, default: .number(Double(MembershipInference.defaultFolds)),
      doc: "cross-validation folds of the attack's held-out AUC (at least 2)"),
    OptionSpec("retained_limit", .integer, default: .number(0),
      doc: "evaluate at most this many retained samples (seeded subsample); 0: all"),
  ]

  /// Options from a schedule's `metrics` table; unknown names or values are errors listing the valid ones.
  public static func from(_ given: [String: OptionValue]) throws -> MetricOptions {
    let o = try MethodOptions.resolve(given, specs: specs, owner: "metrics")
    var m = MetricOptions()
    m.outputDistance = try OutputDistance.Kind.named(try o.string("dist_output"))
    let split = try o.string("dist_output_split")
    guard let s = Split(rawValue: split) else {
      throw MetricError.unknownName(kind: "split", name: split, valid: Split.allCases.map(\.rawValue))
    }
    m.outputSplit = s
    m.parameterDistance = try ParameterDistance.Kind.named(try o.string("dist_para"))
    m.attackFeature = try MembershipInference.Feature.named(try o.string("mia_feature"))
    m.attackClassifier = try MembershipInference.Classifier.named(try o.string("mia_classifier"))
    m.retainedEvaluationLimit = max(0, try o.integer("retained_limit"))
    m.attackFolds = try o.integer("mia_folds")
    guard m.attackFolds >= 2 else {
      throw MetricError.invalidInput(metric: "MIA", message: "mia_folds must be at least 2, got \(m.attackFolds)")
    }
    return m
  }

  /// Every variant by its option name, resolved (what each result record names).
  public var variants: [String: String] {
    [
      "dist_output": outputDistance.rawValue, "dist_output_split": outputSplit.rawValue,
      "dist_para": parameterDistance.rawValue, "mia_feature": attackFeature.rawValue,
      "mia_classifier": attackClassifier.rawValue, "mia_auc": "held-out, \(attackFolds)-fold cross-validation",
      "retained_limit": retainedEvaluationLimit == 0 ? "all" : "\(retainedEvaluationLimit)",
    ]
  }
}
