import Methods

/// An experiment schedule: (datasets × models, or a list of dataset–model pairs) × training
/// configurations × scenarios × methods × seeds. Usually written in Lua
/// (`lethe.experiment.run{...}`), or built in Swift.
public struct Schedule: Sendable, Equatable {
  /// One dataset with the model that learns it (the survey's Table 10: MNIST with the CNN,
  /// CIFAR-10 with ResNet-18, ...).
  public struct Pair: Sendable, Equatable, Hashable {
    /// The dataset.
    public var dataset: NamedSpec
    /// The model.
    public var model: NamedSpec

    /// A pair.
    public init(_ dataset: NamedSpec, _ model: NamedSpec) {
      self.dataset = dataset
      self.model = model
    }
  }

  /// The datasets (e.g. `fashion-mnist`), crossed with `models` (empty when `pairs` is given).
  public var datasets: [NamedSpec]
  /// The models (e.g. `cnn`), crossed with `datasets` (empty when `pairs` is given).
  public var models: [NamedSpec]
  /// Dataset–model pairs to run instead of the cross product (nil: the cross product).
  public var pairs: [Pair]?
  /// The training configurations of M0 (a preset name plus overrides such as `epochs=2`).
  public var trainings: [NamedSpec]
  /// The forget scenarios (e.g. `sample` with `fraction=0.01`).
  public var scenarios: [NamedSpec]
  /// The methods with their options.
  public var methods: [NamedSpec]
  /// The seeds.
  public var seeds: [UInt64]

  /// A schedule.
  public init(
    datasets: [NamedSpec], models: [NamedSpec], trainings: [NamedSpec] = [NamedSpec("default")],
    scenarios: [NamedSpec], methods: [NamedSpec], seeds: [UInt64] = [0]
  ) {
    self.datasets = datasets
    self.models = models
    self.trainings = trainings
    self.scenarios = scenarios
    self.methods = methods
    self.seeds = seeds
  }

  /// A schedule over dataset–model `pairs` rather than a cross product.
  public init(
    pairs: [Pair], trainings: [NamedSpec] = [NamedSpec("default")], scenarios: [NamedSpec], methods: [NamedSpec],
    seeds: [UInt64] = [0]
  ) {
    self.init(datasets: [], models: [], trainings: trainings, scenarios: scenarios, methods: methods, seeds: seeds)
    self.pairs = pairs
  }

  /// The dataset–model combinations the schedule runs: `pairs`, or every dataset with every model.
  public var combinations: [Pair] {
    pairs ?? datasets.flatMap { d in models.map { Pair(d, $0) } }
  }

  /// Every run, ordered so that runs sharing an M0 (dataset, model, training, seed) and then an
  /// M_retrain (scenario) are adjacent. `resolveMethod` fills in a method's defaults and rejects
  /// unknown methods and options before anything runs.
  public func runs(resolveMethod: (NamedSpec) throws -> NamedSpec) throws -> [RunIdentity] {
    var axes: [(String, Int)] = [
      ("trainings", trainings.count), ("scenarios", scenarios.count), ("methods", methods.count),
      ("seeds", seeds.count),
    ]
    axes.insert(contentsOf: pairs.map { [("pairs", $0.count)] } ?? [("datasets", datasets.count), ("models", models.count)], at: 0)
    if let empty = axes.first(where: { $0.1 == 0 }) {
      throw ExperimentError.invalidSchedule("'\(empty.0)' is empty")
    }
    let resolved = try methods.map(resolveMethod)
    var runs: [RunIdentity] = []
    for pair in combinations {
      for t in trainings {
        for seed in seeds {
          for s in scenarios {
            for method in resolved {
              runs.append(
                RunIdentity(
                  dataset: pair.dataset, model: pair.model, training: t, scenario: s, method: method, seed: seed))
            }
          }
        }
      }
    }
    return runs
  }
}
