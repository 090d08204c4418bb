/// Rows of model outputs (one row of `classCount` logits or probabilities per sample), checked
/// once so that every metric can index them without further validation.
public struct OutputMatrix: Sendable, Equatable {
  /// The number of samples (rows).
  public let rowCount: Int
  /// The number of classes (columns).
  public let classCount: Int
  /// The values, row-major, `rowCount * classCount` of them.
  public let values: [Float]

  /// Outputs from a `[n, K]` tensor.
  public init(_ tensor: Tensor, metric: String = "outputs") throws {
    guard tensor.rank == 2 else {
      throw MetricError.invalidInput(
        metric: metric, message: "outputs must have shape [samples, classes], got \(tensor.shape)")
    }
    try self.init(values: tensor.storage, rowCount: tensor.shape[0], classCount: tensor.shape[1],
      metric: metric)
  }

  /// Outputs from row-major values.
  public init(values: [Float], rowCount: Int, classCount: Int, metric: String = "outputs") throws {
    guard rowCount >= 0, classCount > 0, values.count == rowCount * classCount else {
      throw MetricError.invalidInput(
        metric: metric,
        message: "\(values.count) values do not fill \(rowCount) rows of \(classCount) classes")
    }
    guard values.allSatisfy({ $0.isFinite }) else {
      throw MetricError.invalidInput(metric: metric, message: "outputs contain NaN or infinity")
    }
    self.rowCount = rowCount
    self.classCount = classCount
    self.values = values
  }

  /// Outputs from one array per sample; every row must have the same length.
  public init(rows: [[Float]], metric: String = "outputs") throws {
    let k = rows.first?.count ?? 1
    guard rows.allSatisfy({ $0.count == k }) else {
      throw MetricError.invalidInput(metric: metric, message: "rows have different lengths")
    }
    try self.init(values: rows.flatMap { $0 }, rowCount: rows.count, classCount: k, metric: metric)
  }

  /// Row `i`'s values.
  public func row(_ i: Int) -> ArraySlice<Float> {
    values[(i * classCount)..<((i + 1) * classCount)]
  }

  /// The row-wise softmax, computed in Double with the maximum subtracted (stable for any logits).
  /// Apply it to logits; rows that already are probabilities should not be passed through it.
  public func softmaxRows() -> [[Double]] {
    (0..<rowCount).map { i in
      let r = row(i)
      let m = Double(r.max() ?? 0)
      let e = r.map { libmExp(Double($0) - m) }
      let s = e.reduce(0, +)
      return e.map { $0 / s }
    }
  }

  /// The index of each row's largest value (the first one on ties).
  public func argmaxRows() -> [Int] {
    (0..<rowCount).map { i in
      var best = 0
      var bestValue = -Float.infinity
      for (j, v) in row(i).enumerated() where v > bestValue {
        best = j
        bestValue = v
      }
      return best
    }
  }
}

extension OutputMatrix {
  /// The outputs with the `classes` columns set to the lowest finite value, so that argmax never
  /// picks them and softmax gives them probability 0: every metric then compares the outputs on
  /// the other classes (softmax renormalised over them). The survey's convention for methods that
  /// drop output classes (Linear Filtration). Throws for a class outside `0..<classCount` or when
  /// no class would remain; no classes returns the outputs unchanged.
  public func excludingClasses(_ classes: [Int]) throws -> OutputMatrix {
    guard !classes.isEmpty else { return self }
    if let bad = classes.first(where: { $0 < 0 || $0 >= classCount }) {
      throw MetricError.invalidInput(metric: "outputs", message: "class \(bad) outside 0..<\(classCount)")
    }
    let excluded = Set(classes)
    guard excluded.count < classCount else {
      throw MetricError.invalidInput(metric: "outputs", message: "every class is excluded")
    }
    var v = values
    for i in 0..<rowCount {
      for c in excluded { v[i * classCount + c] = -Float.greatestFiniteMagnitude }
    }
    return try OutputMatrix(values: v, rowCount: rowCount, classCount: classCount)
  }
}
