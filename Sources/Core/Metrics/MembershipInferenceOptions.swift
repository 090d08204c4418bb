extension MembershipInference.Feature: OptionChoice {}
extension MembershipInference.Classifier: OptionChoice {}

extension MembershipInference {
  /// How the attack is run: its feature, its classifier and the seed of its data split.
  public struct Options: OptionConfigurable {
    /// The attack's feature.
    public var feature = Feature.entropy
    /// The attack's classifier.
    public var classifier = Classifier.logistic
    /// Cross-validation folds of the held-out AUC.
    public var folds = MembershipInference.defaultFolds
    /// Seeds the attack's split.
    public var seed: UInt64 = 0

    /// The defaults: entropy, logistic, 5 folds, seed 0.
    public init() {}

    /// "mia".
    public static let optionOwner = "mia"
    /// feature, classifier, folds, seed.
    public static let options: [Option<Options>] = [
      .field("feature", \.feature, doc: "entropy, confidence, label_confidence, modified_entropy or loss"),
      .field("classifier", \.classifier, doc: "logistic, threshold or svc"),
      .field("folds", \.folds, doc: "cross-validation folds of the held-out AUC (at least 2)"),
      .field("seed", \.seed, doc: "seeds the attack's split"),
    ]
  }
}
