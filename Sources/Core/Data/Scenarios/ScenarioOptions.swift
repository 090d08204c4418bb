/// A forget scenario as a table writes it (`lethe.data.scenario`): its kind, the kind's own
/// options, a seed and the dataset name its description uses. Each kind accepts `kind`, `seed`,
/// `name` and its own options only.
public struct ScenarioOptions: OptionConfigurable {
  /// What is forgotten.
  public enum Kind: String, Sendable, OptionChoice {
    /// A random `fraction` of the training samples.
    case sample
    /// Every sample of the given `labels`.
    case label
    /// Every sample of `count` labels drawn with the seed.
    case randomLabels = "random_labels"
    /// Keep `keep` labels, forget `labels` of them (or one drawn with the seed).
    case labelCount = "label_count"
  }

  /// The kind.
  public var kind = Kind.sample
  /// sample: the share of the training set to forget, in (0, 1).
  public var fraction = 0.01
  /// label: the labels to forget (required); label_count: the renumbered labels to forget.
  public var labels: [Int]?
  /// random_labels: how many labels to draw.
  public var count = 1
  /// label_count: how many labels to keep.
  public var keep = 2
  /// Seeds the draw.
  public var seed: UInt64 = 0
  /// The dataset's name in the scenario's description; the caller's when nil.
  public var name: String?

  /// The defaults: a 1% sample, seed 0.
  public init() {}

  /// "scenario".
  public static let optionOwner = "scenario"

  /// `kind`, which decides the table's other options.
  public static let kindOption = Option<Self>.field("kind", \.kind, doc: "sample, label, random_labels or label_count")

  private static let common: [Option<Self>] = [
    kindOption,
    .field("seed", \.seed, doc: "seeds the draw"),
    .field("name", \.name, doc: "the dataset's name in the description"),
  ]

  /// Every option of every kind.
  public static let options: [Option<Self>] = common + [
    .field("fraction", \.fraction, doc: "sample: share of the training set to forget"),
    .field("labels", \.labels, doc: "label: labels to forget; label_count: renumbered labels to forget"),
    .field("count", \.count, doc: "random_labels: how many labels to draw"),
    .field("keep", \.keep, doc: "label_count: how many labels to keep"),
  ]

  /// The options of one kind.
  public static func options(for kind: Kind) -> [Option<Self>] {
    switch kind {
    case .sample: return common + [.field("fraction", \.fraction, doc: "share of the training set to forget")]
    case .label: return common + [.field("labels", \.labels, doc: "the labels to forget", required: true)]
    case .randomLabels: return common + [.field("count", \.count, doc: "how many labels to draw")]
    case .labelCount:
      return common + [
        .field("keep", \.keep, doc: "how many labels to keep"),
        .field("labels", \.labels, doc: "renumbered labels to forget (one drawn with the seed when absent)"),
      ]
    }
  }

  /// The scenario over `train` and `test`; `dataset` names them unless `name` is set.
  public func scenario(train: any LabeledSource, test: any LabeledSource, dataset: String) throws
    -> ForgetScenario
  {
    let d = name ?? dataset
    switch kind {
    case .sample:
      return try .sample(train: train, test: test, fraction: fraction, seed: seed, dataset: d)
    case .label:
      return try .label(train: train, test: test, labels: labels ?? [], seed: seed, dataset: d)
    case .randomLabels:
      return try .randomLabels(train: train, test: test, count: count, seed: seed, dataset: d)
    case .labelCount:
      return try .labelCount(train: train, test: test, keep: keep, forget: labels, seed: seed, dataset: d)
    }
  }
}
