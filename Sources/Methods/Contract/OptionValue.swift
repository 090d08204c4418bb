/// The value of a method, scenario or training option: a number, a string or a flag.
///
/// Integers are numbers whose option spec asks for whole values. In JSON an option is the bare
/// value (`0.01`, `"sgd"`, `true`), so records and schedules read naturally.
public enum OptionValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// A number (integers included).
  case number(Double)
  /// A string.
  case string(String)
  /// A boolean flag.
  case bool(Bool)

  /// Decodes a bare JSON value.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  /// Encodes the bare value.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let d):
      if d.rounded() == d && abs(d) < 1e15 { try c.encode(Int(d)) } else { try c.encode(d) }
    case .string(let s): try c.encode(s)
    case .bool(let b): try c.encode(b)
    }
  }

  /// The value as a user would write it.
  public var description: String {
    switch self {
    case .number(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
    case .string(let s): return s
    case .bool(let b): return String(b)
    }
  }

  /// The number, when this is one.
  public var numberValue: Double? {
    if case .number(let d) = self { return d }
    return nil
  }

  /// The string, when this is one.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The flag, when this is one.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }
}
