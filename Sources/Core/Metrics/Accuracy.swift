/// Top-1 accuracy, the survey's ACC_test, ACC_remained and ACC_deleted: the percentage of samples
/// whose largest output is their label. Lethe has this one definition and this one unit,
/// percent (0...100), as the survey's tables give it: the training loop's per-epoch accuracies,
/// `Evaluation.accuracy`, the Lua `m:accuracy`, `lethe.metrics.accuracy`, `ctx:accuracy` and
/// every result record all measure through here.
public enum Accuracy {
  /// Top-1 accuracy in percent (0...100) of `outputs` (logits or probabilities) against `labels`.
  /// Throws on an empty set, a count mismatch or a label outside `0..<classCount`.
  public static func top1(outputs: OutputMatrix, labels: [Int]) throws -> Double {
    try top1(predictions: outputs.argmaxRows(), labels: labels, classCount: outputs.classCount)
  }

  /// Top-1 accuracy in percent of predicted classes against labels.
  public static func top1(predictions: [Int], labels: [Int], classCount: Int? = nil) throws -> Double {
    guard predictions.count == labels.count else {
      throw MetricError.invalidInput(
        metric: "accuracy",
        message: "\(predictions.count) predictions but \(labels.count) labels")
    }
    guard !labels.isEmpty else {
      throw MetricError.invalidInput(metric: "accuracy", message: "no samples to measure")
    }
    if let k = classCount, let bad = labels.first(where: { $0 < 0 || $0 >= k }) {
      throw MetricError.invalidInput(
        metric: "accuracy", message: "label \(bad) outside 0..<\(k)")
    }
    let correct = zip(predictions, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    return percent(correct: correct, of: labels.count)
  }

  /// `correct` of `total` samples as a percentage; 0 when `total` is 0 (a running tally that has
  /// seen nothing yet).
  public static func percent(correct: Int, of total: Int) -> Double {
    total > 0 ? 100.0 * Double(correct) / Double(total) : 0
  }
}
