extension Learner {
  /// The pairs of parameter vectors DIST_para averages over when this learner (M_unlearn) is
  /// compared with `reference` (M_retrain); `original` is M0, shaped as this learner.
  ///
  /// - Learners of the same shape (the same number of constituents) give one pair: the whole
  ///   parameter vectors.
  /// - An ensemble compared with a single model (SISA's shards against M_retrain) gives one pair
  ///   per constituent that changed from `original`, each against the reference — the survey's
  ///   convention for SISA: DIST_para is the mean over the constituent models that changed. When
  ///   none changed, every constituent counts.
  public func parameterPairs(against reference: Learner, original: Learner) -> [([Float], [Float])] {
    let own = constituents
    let whole = [(parameterVector(), reference.parameterVector())]
    guard own.count != reference.constituents.count, reference.constituents.count == 1,
      original.constituents.count == own.count
    else { return whole }
    let target = reference.parameterVector()
    let vectors = own.map { $0.module.parameterVector().storage }
    let changed = zip(vectors, original.constituents).filter { $0.0 != $0.1.module.parameterVector().storage }
    return (changed.isEmpty ? vectors : changed.map(\.0)).map { ($0, target) }
  }
}
