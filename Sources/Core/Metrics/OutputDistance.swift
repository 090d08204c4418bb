/// DIST_output: how far M_unlearn's predictions are from M_retrain's on the same samples.
///
/// Both models' outputs are turned into softmax distributions row by row; the distance is the
/// mean over samples of a per-sample divergence. Which split the rows come from (the forget set
/// by default) is the caller's choice and is recorded with the value.
public enum OutputDistance {
  /// The per-sample divergence.
  public enum Kind: String, Sendable, CaseIterable, Codable {
    /// Euclidean distance between the two softmax vectors (the "activation distance" of the
    /// bad-teacher reference code). The default.
    case l2
    /// Jensen–Shannon divergence in nats: ½KL(p‖m) + ½KL(q‖m), m = ½(p+q); between 0 and ln 2.
    case jensenShannon = "js"

    /// The kind called `name` ("l2" or "js"), or an error listing the valid names.
    public static func named(_ name: String) throws -> Kind {
      guard let k = Kind(rawValue: name) else {
        throw MetricError.unknownName(
          kind: "output distance", name: name, valid: allCases.map(\.rawValue))
      }
      return k
    }
  }

  /// What the rows hold.
  public enum Input: Sendable {
    /// Unnormalised scores; softmax is applied.
    case logits
    /// Rows that already are probability distributions (each row non-negative, summing to 1).
    case probabilities
  }

  /// The mean per-sample divergence between `a` and `b` (same shape); `metric` names the
  /// metric in error messages (ZRF is built on the JS divergence too).
  public static func mean(
    _ a: OutputMatrix, _ b: OutputMatrix, kind: Kind = .l2, input: Input = .logits, metric: String = "DIST_output"
  ) throws -> Double {
    guard a.rowCount == b.rowCount, a.classCount == b.classCount else {
      throw MetricError.invalidInput(
        metric: metric,
        message: "outputs of shape [\(a.rowCount), \(a.classCount)] and "
          + "[\(b.rowCount), \(b.classCount)] cannot be compared")
    }
    guard a.rowCount > 0 else {
      throw MetricError.invalidInput(metric: metric, message: "no samples to compare")
    }
    let p = try distributions(a, input)
    let q = try distributions(b, input)
    var total = 0.0
    for i in 0..<a.rowCount {
      total += kind == .l2 ? l2(p[i], q[i]) : jensenShannon(p[i], q[i])
    }
    return total / Double(a.rowCount)
  }

  /// Euclidean distance between two vectors.
  public static func l2(_ p: [Double], _ q: [Double]) -> Double {
    var s = 0.0
    for j in p.indices {
      let d = p[j] - q[j]
      s += d * d
    }
    return s.squareRoot()
  }

  /// Jensen–Shannon divergence (natural log) between two distributions; 0·log 0 counts as 0.
  public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
    var s = 0.0
    for j in p.indices {
      let m = 0.5 * (p[j] + q[j])
      if p[j] > 0 { s += 0.5 * p[j] * libmLog(p[j] / m) }
      if q[j] > 0 { s += 0.5 * q[j] * libmLog(q[j] / m) }
    }
    return max(0, s)
  }

  private static func distributions(_ m: OutputMatrix, _ input: Input) throws -> [[Double]] {
    switch input {
    case .logits:
      return m.softmaxRows()
    case .probabilities:
      let rows = (0..<m.rowCount).map { m.row($0).map(Double.init) }
      for r in rows where r.contains(where: { $0 < 0 }) || abs(r.reduce(0, +) - 1) > 1e-3 {
        throw MetricError.invalidInput(
          metric: "DIST_output", message: "a row is not a probability distribution: \(r)")
      }
      return rows
    }
  }
}
