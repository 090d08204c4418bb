/// Anything the training loop, evaluation and metrics can draw labelled mini-batches from:
/// a dataset in memory, a subset of one, a relabelled view.
///
/// Indices are positions `0..<sampleCount` in this source. Implementations decode, normalise and
/// augment here, so a batch is built without copying the whole dataset.
public protocol BatchSource: Sendable {
  /// How many samples the source holds.
  var sampleCount: Int { get }
  /// The shape of one input sample, e.g. `[1, 28, 28]` or `[600]`.
  var sampleShape: [Int] { get }
  /// The number of classes labels are drawn from (labels are `0..<classCount`).
  var classCount: Int { get }
  /// The samples at `indices`, stacked into `[indices.count] + sampleShape`, with their labels.
  func batch(at indices: [Int]) throws -> Batch
}

/// A mini-batch: inputs stacked along a new leading axis, and one label per sample.
public struct Batch: Sendable {
  /// Inputs of shape `[n] + sampleShape`.
  public var inputs: Tensor
  /// Labels in `0..<classCount`, one per sample.
  public var labels: [Int]

  /// A batch of inputs and labels; `labels.count` equals `inputs.shape[0]`.
  public init(inputs: Tensor, labels: [Int]) {
    self.inputs = inputs
    self.labels = labels
  }
}
