/// The area under the ROC curve of scores that should be higher for positives: the probability
/// that a random positive outscores a random negative, ties counting one half (Mann–Whitney U).
public enum ROCAUC {
  /// AUC in [0, 1]. Throws when either class is empty or a score is NaN.
  public static func auc(positives: [Double], negatives: [Double]) throws -> Double {
    guard !positives.isEmpty, !negatives.isEmpty else {
      throw MetricError.invalidInput(metric: "AUC", message: "needs positive and negative samples")
    }
    guard !positives.contains(where: \.isNaN), !negatives.contains(where: \.isNaN) else {
      throw MetricError.invalidInput(metric: "AUC", message: "scores contain NaN")
    }
    let ranks = Ranking.averageRanks(positives + negatives)
    let np = Double(positives.count)
    let nn = Double(negatives.count)
    let rankSum = ranks[0..<positives.count].reduce(0, +)
    return (rankSum - np * (np + 1) / 2) / (np * nn)
  }
}
