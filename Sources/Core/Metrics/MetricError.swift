/// Errors raised by metrics on inputs that cannot be measured: mismatched lengths, empty sets,
/// labels outside the class range, non-positive times.
public enum MetricError: Error, CustomStringConvertible, Equatable {
  /// The inputs disagree with each other or with the metric's requirements.
  case invalidInput(metric: String, message: String)
  /// A metric, variant or split name that does not exist; `valid` lists the names that do.
  case unknownName(kind: String, name: String, valid: [String])

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .invalidInput(let metric, let message):
      return "\(metric): \(message)"
    case .unknownName(let kind, let name, let valid):
      return "unknown \(kind) '\(name)'; valid: \(valid.joined(separator: ", "))"
    }
  }
}
