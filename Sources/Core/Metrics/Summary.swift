/// Mean and standard deviation of repeated measurements (one per seed).
public struct Summary: Sendable, Equatable, Codable {
  /// The number of values.
  public let count: Int
  /// The arithmetic mean.
  public let mean: Double
  /// The sample standard deviation (divisor n − 1); 0 for a single value.
  public let std: Double

  /// The summary of `values`; throws when there are none or one is NaN.
  public init(_ values: [Double]) throws {
    guard !values.isEmpty else {
      throw MetricError.invalidInput(metric: "mean ± std", message: "no values")
    }
    guard !values.contains(where: \.isNaN) else {
      throw MetricError.invalidInput(metric: "mean ± std", message: "values contain NaN")
    }
    count = values.count
    mean = values.reduce(0, +) / Double(values.count)
    if values.count < 2 {
      std = 0
    } else {
      let m = mean
      let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      std = (ss / Double(values.count - 1)).squareRoot()
    }
  }

  /// "mean ± std" with `digits` decimals, e.g. "92.31 ± 0.40".
  public func formatted(digits: Int = 2) -> String {
    "\(Summary.fixed(mean, digits)) ± \(Summary.fixed(std, digits))"
  }

  /// `value` with exactly `digits` decimals (no Foundation formatter needed).
  public static func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard scaled < 9e15 else { return "\(value)" }
    let whole = Int(scaled)
    let intPart = whole / Int(scale)
    guard digits > 0 else { return "\(sign)\(intPart)" }
    var frac = String(whole % Int(scale))
    while frac.count < digits { frac = "0" + frac }
    return "\(sign)\(intPart).\(frac)"
  }
}
