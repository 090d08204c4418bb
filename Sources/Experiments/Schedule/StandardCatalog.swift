import Core
import Methods

extension ExperimentCatalog {
  /// The datasets of `datasets` (found on its search path) and the models of `Models`; their
  /// options are Core's `LoadOptions` (plus `subset` and `test_subset`, `DatasetReduction`) and
  /// `Models.Options`, which declare the defaults.
  public static func standard(datasets: DatasetCatalog = DatasetCatalog()) -> ExperimentCatalog {
    var c = ExperimentCatalog()
    for entry in DatasetCatalog.entries {
      let name = entry.name
      c.datasets[name] = { spec in
        let (reduction, loaderOptions) = try DatasetReduction.split(spec)
        let load = try LoadOptions(options: loaderOptions, owner: "dataset '\(name)'")
        let splits = try datasets.load(name, options: load)
        return try reduction.apply(
          Splits(name: name, train: splits.train, test: splits.test, normalization: splits.train.normalization))
      }
    }
    for name in Models.names {
      c.models[name] = { spec, shape, classes, seed in
        let m = try Models.Options(options: spec.options, owner: "model '\(name)'")
        let module = try Models.make(name, inputShape: shape, classes: classes, seed: seed, options: m)
        return ModuleLearner(module, classCount: classes)
      }
    }
    return c
  }
}
