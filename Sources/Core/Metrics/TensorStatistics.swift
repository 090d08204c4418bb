/// Summary statistics of a tensor's elements, as `m:stats()` prints them per parameter: count,
/// Euclidean norm, mean, (biased) standard deviation, minimum and maximum.
public struct TensorStatistics: Sendable, Equatable {
  /// The number of elements.
  public var count: Int
  /// √(Σ x²), accumulated in Double.
  public var norm: Double
  /// The mean.
  public var mean: Double
  /// The standard deviation over n (PyTorch's `std(unbiased=False)`).
  public var std: Double
  /// The smallest element.
  public var min: Double
  /// The largest element.
  public var max: Double

  /// The statistics of `t`; throws for an empty tensor, which has no mean, minimum or maximum.
  public init(_ t: Tensor) throws {
    guard t.count > 0 else { throw TensorError.invalidShape("statistics of an empty tensor \(t.shape)") }
    count = t.count
    norm = t.norm
    mean = Double(t.meanAll)
    std = Double(try t.variance().scalar).squareRoot()
    min = Double(try t.min().scalar)
    max = Double(try t.max().scalar)
  }

  /// The statistics of every parameter of `module`, by dotted name, in the module's order.
  public static func parameters(of module: Module) throws -> [(name: String, statistics: TensorStatistics)] {
    try module.namedParameters().map { ($0.0, try TensorStatistics($0.1.value)) }
  }
}
