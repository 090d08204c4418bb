import Core

/// The names a schedule may use for datasets, models and scenarios, and how to build each.
///
/// The host fills it with the datasets and models of `Core` (Fashion-MNIST, the CNN, ...);
/// tests fill it with toy ones. An unknown name is an error listing the valid ones.
public struct Catalog {
  /// A training set and its test set.
  public struct Splits {
    /// The training set D.
    public var train: BatchSource
    /// The test set.
    public var test: BatchSource

    /// Splits.
    public init(train: BatchSource, test: BatchSource) {
      self.train = train
      self.test = test
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
  /// Scenarios by name; `sample` and `label` are there from the start.
  public var scenarios: [String: ScenarioBuilder] = [
    "sample": { spec, splits, seed in try ScenarioBuilders.sample(spec, train: splits.train, seed: seed) },
    "label": { spec, splits, seed in
      try ScenarioBuilders.label(spec, train: splits.train, test: splits.test, seed: seed)
    },
  ]

  /// Declared options of scenarios, checked by `validate` before anything trains (scenarios
  /// without an entry are checked only when drawn).
  public var scenarioOptions: [String: [OptionSpec]] = [
    "sample": ScenarioBuilders.sampleOptions, "label": ScenarioBuilders.labelOptions,
  ]

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

  /// Checks every name of a schedule before anything runs.
  public func validate(_ schedule: Schedule) throws {
    for d in schedule.datasets { _ = try dataset(d.name) }
    for m in schedule.models { _ = try model(m.name) }
    for s in schedule.scenarios {
      _ = try scenario(s.name)
      if let specs = scenarioOptions[s.name] {
        _ = try MethodOptions.resolve(s.options, specs: specs, owner: "scenario '\(s.name)'")
      }
    }
    for t in schedule.trainings { _ = try TrainingRecipe.from(t, seed: 0) }
  }

  private func unknown(_ kind: String, _ name: String, _ keys: Dictionary<String, some Any>.Keys) -> ExperimentError {
    ExperimentError.unknownName(kind: kind, name: name, valid: keys.sorted())
  }
}
