import Core

/// The data a run works on once its scenario is drawn. For most scenarios that is the dataset
/// itself. For label count it is the K-class subset the scenario keeps (labels renumbered
/// 0…K−1): M0, M_retrain and the method all train on it, models get K outputs, and the scenario
/// is re-expressed as label unlearning of the forgotten (renumbered) labels on that subset.
struct ScenarioData {
  /// The splits M0 trains on and the metrics are measured on.
  let splits: ExperimentCatalog.Splits
  /// The scenario with positions in `splits`.
  let scenario: ForgetScenario
  /// The scenario as the catalog drew it; its digest is what results record.
  let drawn: ForgetScenario
  /// Label count: the kept original labels, in their new order (part of M0's cache key).
  let keptClasses: [Int]?
  /// Label count with k-means relabelling: "kmeans" (part of M0's cache key: the kept labels
  /// are clusters, not the dataset's labels).
  var relabelling: String?

  /// The run's data for `drawn` over the dataset `base`.
  init(drawn: ForgetScenario, base: ExperimentCatalog.Splits) throws {
    self.drawn = drawn
    guard case .labelCount(let kept, let forgotten) = drawn.kind else {
      splits = base
      scenario = drawn
      keptClasses = nil
      return
    }
    let views = try drawn.views(train: base.train, test: base.test)
    let name = "\(base.name)[K=\(kept.count)]"
    splits = ExperimentCatalog.Splits(
      name: name, train: views.train, test: views.test, normalization: base.normalization)
    scenario = try ForgetScenario.label(
      train: views.train, test: views.test, labels: forgotten, seed: drawn.seed, dataset: name)
    keptClasses = kept
  }
}
