import Core
import Experiments

/// The standard catalogue plus `fashion-mnist-subset`: a seeded share of Fashion-MNIST (`train`
/// and `test` samples drawn with `seed`), with the full dataset's input normalisation.
func fashionMNISTSubsetCatalog(train trainCount: Int, test testCount: Int, seed: UInt64) -> ExperimentCatalog {
  var catalog = ExperimentCatalog.standard()
  catalog.datasets["fashion-mnist-subset"] = { _ in
    let full = try DatasetCatalog().load("fashion-mnist")
    var rng = RandomGenerator(seed: seed)
    let train = rng.permutation(full.train.sampleCount).prefix(trainCount).sorted()
    let test = rng.permutation(full.test.sampleCount).prefix(testCount).sorted()
    return ExperimentCatalog.Splits(
      name: "fashion-mnist-subset",
      train: try DataView(base: full.train, indices: train, name: "fashion-mnist train subset"),
      test: try DataView(base: full.test, indices: test, name: "fashion-mnist test subset"),
      normalization: full.train.normalization)
  }
  return catalog
}
