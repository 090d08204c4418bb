import Core
import Methods

/// The names a schedule may use for datasets, models and scenarios, and how to build each.
///
/// `ExperimentCatalog.standard()` holds the datasets of `Core`'s `DatasetCatalog` and the models
/// of `Models`; tests fill one with toy entries. An unknown name is an error listing the valid ones.
public struct ExperimentCatalog {
  /// A training set and its test set.
  public struct Splits {
    /// The dataset's name (for scenario descriptions).
    public var name: String
    /// The training set D.
    public var train: any LabeledSource
    /// The test set.
    public var test: any LabeledSource
    /// The per-channel input normalisation both sets apply, when known (written into cached
    /// checkpoints so that PyTorch users can reproduce the logits).
    public var normalization: Normalization?

    /// Splits.
    public init(name: String, train: any LabeledSource, test: any LabeledSource, normalization: Normalization? = nil) {
      self.name = name
      self.train = train
      self.test = test
      self.normalization = normalization
    }
  }

  /// Builds a dataset from its spec.
  public typealias DatasetBuilder = (NamedSpec) throws -> Splits
  /// Builds a freshly initialised model from its spec, the sample shape, the class count and a seed.
  public typealias ModelBuilder = (NamedSpec, [Int], Int, UInt64) throws -> Learner
  /// Draws a forget scenario from its spec, the splits and a seed.
  public typealias ScenarioBuilder = (NamedSpec, Splits, UInt64) throws -> ForgetScenario

  /// Datasets by name.
  public var datasets: [String: DatasetBuilder] = [:]
  /// Models by name.
  public var models: [String: ModelBuilder] = [:]
  /// Scenarios by name; `sample`, `label` and `label_count` (from `Core`'s `ForgetScenario`) are
  /// there from the start.
  public var scenarios: [String: ScenarioBuilder] = [
    "sample": ExperimentCatalog.sampleScenario, "label": ExperimentCatalog.labelScenario,
    "label_count": ExperimentCatalog.labelCountScenario,
  ]
  /// Declared options of scenarios, checked by `validate` before anything trains.
  public var scenarioOptions: [String: [OptionSpec]] = [
    "sample": ExperimentCatalog.sampleOptions, "label": ExperimentCatalog.labelOptions,
    "label_count": ExperimentCatalog.labelCountOptions,
  ]

  /// Scenarios whose draw changes the data M0 trains on (`label_count` keeps K classes), so that
  /// each gets an M0 of its own: planning names those M0s without drawing the scenario.
  public var dataShapingScenarios: Set<String> = ["label_count"]

  /// An empty catalog (with the built-in scenarios).
  public init() {}

  /// The dataset builder called `name`, or an error listing the valid names.
  public func dataset(_ name: String) throws -> DatasetBuilder {
    guard let b = datasets[name] else { throw unknown("dataset", name, datasets.keys) }
    return b
  }

  /// The model builder called `name`, or an error listing the valid names.
  public func model(_ name: String) throws -> ModelBuilder {
    guard let b = models[name] else { throw unknown("model", name, models.keys) }
    return b
  }

  /// The scenario builder called `name`, or an error listing the valid names.
  public func scenario(_ name: String) throws -> ScenarioBuilder {
    guard let b = scenarios[name] else { throw unknown("scenario", name, scenarios.keys) }
    return b
  }

  /// Checks every name of a schedule (and the options of known scenarios and trainings) before
  /// anything runs.
  public func validate(_ schedule: Schedule) throws {
    for pair in schedule.combinations {
      _ = try dataset(pair.dataset.name)
      _ = try model(pair.model.name)
    }
    for s in schedule.scenarios {
      _ = try scenario(s.name)
      if let specs = scenarioOptions[s.name] {
        _ = try MethodOptions.resolve(s.options, specs: specs, owner: "scenario '\(s.name)'")
      }
    }
    for t in schedule.trainings { _ = try TrainingRecipe.from(t, seed: 0) }
  }

  private func unknown(_ kind: String, _ name: String, _ keys: Dictionary<String, some Any>.Keys)
    -> ExperimentError
  {
    ExperimentError.unknownName(kind: kind, name: name, valid: keys.sorted())
  }

  // MARK: The built-in scenarios

  /// Options of `sample`.
  public static let sampleOptions = [
    OptionSpec("fraction", .number, default: .number(0.01), doc: "share of the training set to forget, in (0, 1)")
  ]
  /// Options of `label`.
  public static let labelOptions = [
    OptionSpec("count", .integer, default: .number(1), doc: "how many labels to forget, drawn with the seed"),
    OptionSpec("labels", .string, default: .string(""),
      doc: "comma-separated labels to forget (overrides count), e.g. \"0,3\""),
  ]

  /// Sample unlearning: a uniformly random `fraction` of the training set, drawn with the seed.
  public static func sampleScenario(_ spec: NamedSpec, _ splits: Splits, _ seed: UInt64) throws -> ForgetScenario {
    let o = try MethodOptions.resolve(spec.options, specs: sampleOptions, owner: "scenario 'sample'")
    return try ForgetScenario.sample(
      train: splits.train, test: splits.test, fraction: try o.number("fraction"), seed: seed,
      dataset: splits.name)
  }

  /// Label unlearning: every training sample of the given labels, or of `count` labels drawn with
  /// the seed; ACC_test is then measured on the retained labels' test samples.
  public static func labelScenario(_ spec: NamedSpec, _ splits: Splits, _ seed: UInt64) throws -> ForgetScenario {
    let o = try MethodOptions.resolve(spec.options, specs: labelOptions, owner: "scenario 'label'")
    let given = try o.string("labels")
    if given.isEmpty {
      return try ForgetScenario.randomLabels(
        train: splits.train, test: splits.test, count: try o.integer("count"), seed: seed, dataset: splits.name)
    }
    let labels = try labelList(given, owner: "scenario 'label'", option: "labels")
    return try ForgetScenario.label(train: splits.train, test: splits.test, labels: labels, seed: seed,
      dataset: splits.name)
  }

  /// Options of `label_count`.
  public static let labelCountOptions = [
    OptionSpec("classes", .integer, default: .number(10),
      doc: "K, the labels kept: the model is trained on these K classes only (renumbered 0..K-1)"),
    OptionSpec("kept", .string, default: .string(""),
      doc: "comma-separated original labels to keep (default: K drawn with the seed)"),
    OptionSpec("forget", .string, default: .string(""),
      doc: "comma-separated renumbered labels to forget (default: one drawn with the seed)"),
    OptionSpec("relabel", .string, default: .string("subset"),
      doc: "subset: keep K of the dataset's labels; kmeans: relabel every sample into K k-means clusters of its "
        + "raw features (Purchase, as the SISA code prepares it)").choosing(["subset", "kmeans"]),
  ]

  /// The number of clusters when `spec` is a `label_count` scenario that relabels by k-means,
  /// else nil.
  public static func clusterCount(_ spec: NamedSpec) throws -> Int? {
    guard spec.name == "label_count" else { return nil }
    let o = try MethodOptions.resolve(spec.options, specs: labelCountOptions, owner: "scenario 'label_count'")
    return try o.string("relabel") == "kmeans" ? try o.integer("classes") : nil
  }

  /// The splits a `label_count` scenario with `relabel = "kmeans"` draws from: every training
  /// sample labelled by the nearest of K k-means centres of the raw training features (k-means++
  /// seeded with 0, so every seed and process gets the same labels), every test sample by the
  /// nearest centre. Needs a dataset held in memory (Purchase, or its synthetic stand-in).
  public static func clusteredSplits(_ splits: Splits, clusters: Int) throws -> Splits {
    guard let train = splits.train as? Dataset, let test = splits.test as? Dataset else {
      throw ExperimentError.invalidSchedule(
        "label_count with relabel=kmeans needs a feature dataset loaded whole (purchase, purchase-synthetic); "
          + "\(splits.name) is a view (drop its subset option)")
    }
    let k = try KMeansRelabelling(dataset: train, clusters: clusters, seed: 0)
    return Splits(
      name: "\(splits.name)[k-means K=\(clusters)]", train: try k.relabelTraining(train),
      test: try k.relabelByNearestCentroid(test), normalization: splits.normalization)
  }

  /// Label count (the survey's label-count sweep): keep K classes, train M0 on them alone, and
  /// forget one of them (or the given ones). A sweep over `classes` shows how each metric moves
  /// with the number of labels; the runner trains one M0 per kept-class set.
  public static func labelCountScenario(_ spec: NamedSpec, _ splits: Splits, _ seed: UInt64) throws
    -> ForgetScenario
  {
    let owner = "scenario 'label_count'"
    let o = try MethodOptions.resolve(spec.options, specs: labelCountOptions, owner: owner)
    let kept = try o.string("kept"), forget = try o.string("forget")
    if try o.string("relabel") == "kmeans" {
      // `splits` are already the clustered ones (`clusteredSplits`): every cluster is kept.
      guard kept.isEmpty else {
        throw MethodError.invalidOption(owner: owner, option: "kept", message: "relabel=kmeans keeps every cluster")
      }
      let k = try o.integer("classes")
      guard splits.train.classCount == k else {
        throw ExperimentError.invalidSchedule("\(owner): the splits have \(splits.train.classCount) labels, not K=\(k) clusters")
      }
      return try ForgetScenario.labelCount(
        train: splits.train, test: splits.test, keep: k, keptLabels: Array(0..<k),
        forget: forget.isEmpty ? nil : try labelList(forget, owner: owner, option: "forget"), seed: seed,
        dataset: splits.name)
    }
    return try ForgetScenario.labelCount(
      train: splits.train, test: splits.test, keep: try o.integer("classes"),
      keptLabels: kept.isEmpty ? nil : try labelList(kept, owner: owner, option: "kept"),
      forget: forget.isEmpty ? nil : try labelList(forget, owner: owner, option: "forget"),
      seed: seed, dataset: splits.name)
  }

  /// "0, 3" → [0, 3], or an error naming the option.
  static func labelList(_ text: String, owner: String, option: String) throws -> [Int] {
    try text.split(separator: ",").map { part -> Int in
      guard let l = Int(part.filter { $0 != " " }) else {
        throw MethodError.invalidOption(owner: owner, option: option, message: "'\(part)' is not a label number")
      }
      return l
    }
  }
}
