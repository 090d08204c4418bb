extension MembershipInference {
  /// The feature of every row of `outputs` (logits, softmax applied here, in Double). Features
  /// that read labels (`Feature.needsLabels`) need one label per row in `0..<classCount`.
  public static func features(_ outputs: OutputMatrix, labels: [Int]? = nil, _ feature: Feature) throws
    -> [Double]
  {
    let p = outputs.softmaxRows()
    guard feature.needsLabels else {
      return p.map { row in
        feature == .entropy ? -row.reduce(0) { $0 + ($1 > 0 ? $1 * libmLog($1) : 0) } : (row.max() ?? 0)
      }
    }
    guard let labels else {
      throw MetricError.invalidInput(metric: "MIA", message: "the '\(feature.rawValue)' feature needs labels")
    }
    guard labels.count == p.count else {
      throw MetricError.invalidInput(metric: "MIA", message: "\(labels.count) labels for \(p.count) outputs")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= outputs.classCount }) {
      throw MetricError.invalidInput(metric: "MIA", message: "label \(bad) outside 0..<\(outputs.classCount)")
    }
    // log(0) is clamped to log(1e-30), as the reference code clamps it.
    func log(_ x: Double) -> Double { libmLog(max(x, 1e-30)) }
    return zip(p, labels).map { row, y in
      switch feature {
      case .labelConfidence:
        return row[y]
      case .loss:
        return -log(row[y])
      default:
        var h = -(1 - row[y]) * log(row[y])
        for (i, pi) in row.enumerated() where i != y { h -= pi * log(1 - pi) }
        return h
      }
    }
  }
}
