import Methods

/// An experiment schedule: datasets × models × training configurations × scenarios × methods
/// × seeds. Usually written in Lua (`lethe.experiment.run{...}`), or built in Swift.
public struct Schedule: Sendable, Equatable {
  /// The datasets (e.g. `fashion-mnist`).
  public var datasets: [NamedSpec]
  /// The models (e.g. `cnn`).
  public var models: [NamedSpec]
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

  /// Every run, ordered so that runs sharing an M0 (dataset, model, training, seed) and then an
  /// M_retrain (scenario) are adjacent. `resolveMethod` fills in a method's defaults and rejects
  /// unknown methods and options before anything runs.
  public func runs(resolveMethod: (NamedSpec) throws -> NamedSpec) throws -> [RunIdentity] {
    let axes: [(String, Int)] = [
      ("datasets", datasets.count), ("models", models.count), ("trainings", trainings.count),
      ("scenarios", scenarios.count), ("methods", methods.count), ("seeds", seeds.count),
    ]
    if let empty = axes.first(where: { $0.1 == 0 }) {
      throw ExperimentError.invalidSchedule("'\(empty.0)' is empty")
    }
    let resolved = try methods.map(resolveMethod)
    var runs: [RunIdentity] = []
    for d in datasets {
      for m in models {
        for t in trainings {
          for seed in seeds {
            for s in scenarios {
              for method in resolved {
                runs.append(
                  RunIdentity(dataset: d, model: m, training: t, scenario: s, method: method, seed: seed))
              }
            }
          }
        }
      }
    }
    return runs
  }
}
