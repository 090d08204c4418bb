/// DIST_para: the distance between the parameter vectors of M_unlearn and M_retrain.
///
/// It is meaningful only when both models start from the same initial weights and data order,
/// which the experiment protocol guarantees for M_retrain.
public enum ParameterDistance {
  /// How the difference vector Δ = θ_unlearn − θ_retrain is measured.
  public enum Kind: String, Sendable, CaseIterable, Codable {
    /// ‖Δ‖₂ / √(parameter count): comparable across models of different size. The default.
    case normalizedL2 = "l2_normalized"
    /// ‖Δ‖₂.
    case l2
    /// ‖Δ‖₂ / ‖θ_retrain‖₂.
    case relative

    /// The kind called `name`, or an error listing the valid names.
    public static func named(_ name: String) throws -> Kind {
      guard let k = Kind(rawValue: name) else {
        throw MetricError.unknownName(
          kind: "parameter distance", name: name, valid: allCases.map(\.rawValue))
      }
      return k
    }
  }

  /// The distance between two flat parameter vectors of equal length; `reference` is
  /// θ_retrain (the denominator of the relative variant).
  public static func distance(_ unlearned: [Float], _ reference: [Float], kind: Kind = .normalizedL2)
    throws -> Double
  {
    guard unlearned.count == reference.count else {
      throw MetricError.invalidInput(
        metric: "DIST_para",
        message: "parameter vectors differ in length (\(unlearned.count) vs \(reference.count))")
    }
    guard !reference.isEmpty else {
      throw MetricError.invalidInput(metric: "DIST_para", message: "no parameters to compare")
    }
    let (squared, referenceSquared) = squaredSums(unlearned, reference)
    let norm = squared.squareRoot()
    switch kind {
    case .l2:
      return norm
    case .normalizedL2:
      return norm / Double(reference.count).squareRoot()
    case .relative:
      guard referenceSquared > 0 else {
        throw MetricError.invalidInput(
          metric: "DIST_para", message: "relative distance to an all-zero parameter vector")
      }
      return norm / referenceSquared.squareRoot()
    }
  }

  /// The mean distance over pairs of parameter vectors (an ensemble such as SISA's shards:
  /// pass the constituent models that changed).
  public static func meanDistance(_ pairs: [([Float], [Float])], kind: Kind = .normalizedL2) throws
    -> Double
  {
    guard !pairs.isEmpty else {
      throw MetricError.invalidInput(metric: "DIST_para", message: "no models to compare")
    }
    var total = 0.0
    for (a, b) in pairs { total += try distance(a, b, kind: kind) }
    return total / Double(pairs.count)
  }
}

extension ParameterDistance {
  /// The distance of one parameter (or of all of them together).
  public struct Entry: Sendable, Equatable {
    /// The parameter's dotted name, or "(all)" for the whole model.
    public var name: String
    /// ‖Δ‖₂ over the parameter's elements.
    public var l2: Double
    /// ‖Δ‖₂ / ‖reference‖₂, or nil when the reference is all zeros (a bias initialised to 0).
    public var relative: Double?
  }

  /// Per-parameter L2 and relative distances between two models of the same architecture, in
  /// `reference`'s parameter order, followed by the entry "(all)" over every parameter. Sums are
  /// accumulated in Double. Throws when a parameter of `reference` is missing from `model` or has
  /// another shape.
  public static func perParameter(_ model: Module, reference: Module) throws -> [Entry] {
    let other = Dictionary(model.namedParameters().map { ($0.0, $0.1.value) }, uniquingKeysWith: { a, _ in a })
    var entries: [Entry] = []
    var total = 0.0
    var totalReference = 0.0
    for (name, p) in reference.namedParameters() {
      let r = p.value
      guard let m = other[name], m.shape == r.shape else {
        throw MetricError.invalidInput(metric: "DIST_para", message: "models differ at parameter '\(name)'")
      }
      let (squared, referenceSquared) = squaredSums(m.storage, r.storage)
      total += squared
      totalReference += referenceSquared
      entries.append(Entry(name: name, l2: squared.squareRoot(), relative: relative(squared, referenceSquared)))
    }
    entries.append(Entry(name: "(all)", l2: total.squareRoot(), relative: relative(total, totalReference)))
    return entries
  }

  /// (‖a − reference‖², ‖reference‖²) over equal-length vectors, accumulated in Double.
  static func squaredSums(_ a: [Float], _ reference: [Float]) -> (Double, Double) {
    var squared = 0.0
    var referenceSquared = 0.0
    for i in reference.indices {
      let d = Double(a[i]) - Double(reference[i])
      squared += d * d
      referenceSquared += Double(reference[i]) * Double(reference[i])
    }
    return (squared, referenceSquared)
  }

  private static func relative(_ squared: Double, _ referenceSquared: Double) -> Double? {
    referenceSquared > 0 ? (squared / referenceSquared).squareRoot() : nil
  }
}
