extension MembershipInference.Feature: OptionChoice {}
extension MembershipInference.Classifier: OptionChoice {}

extension MembershipInference {
  /// How the attack is run: its feature, its classifier and the seed of its data split.
  public struct Options: OptionConfigurable {
    /// The attack's feature.
    public var feature = Feature.entropy
    /// The attack's classifier.
    public var classifier = Classifier.logistic
    /// Seeds the attack's split.
    public var seed: UInt64 = 0

    /// The defaults: entropy, logistic, seed 0.
    public init() {}

    /// "mia".
    public static let optionOwner = "mia"
    /// feature, classifier, seed.
    public static let options: [Option<Options>] = [
      .field("feature", \.feature, doc: "entropy or confidence"),
      .field("classifier", \.classifier, doc: "logistic or threshold"),
      .field("seed", \.seed, doc: "seeds the attack's split"),
    ]
  }
}
