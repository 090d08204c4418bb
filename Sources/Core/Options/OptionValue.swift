/// The value of an option: a number, a string, a flag, or a list of them.
///
/// Integers are numbers whose option spec asks for whole values. In JSON an option is the bare
/// value (`0.01`, `"sgd"`, `true`, `[1, 28, 28]`), so records and schedules read naturally.
public enum OptionValue: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// A number (integers included).
  case number(Double)
  /// A string.
  case string(String)
  /// A boolean flag.
  case bool(Bool)
  /// A list (a sample shape, labels, positions).
  case list([OptionValue])

  /// Decodes a bare JSON value.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let items = try? c.decode([OptionValue].self) {
      self = .list(items)
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
    case .list(let items): try c.encode(items)
    }
  }

  /// The value as a user would write it (a list in Lua's braces).
  public var description: String {
    switch self {
    case .number(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
    case .string(let s): return s
    case .bool(let b): return String(b)
    case .list(let items): return "{" + items.map(\.description).joined(separator: ", ") + "}"
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

  /// The whole numbers of a list, or of a single number as a one-element list; nil otherwise.
  public var integerList: [Int]? {
    switch self {
    case .number: return wholeNumber.map { [$0] }
    case .list(let items):
      var out: [Int] = []
      for item in items {
        guard let k = item.wholeNumber else { return nil }
        out.append(k)
      }
      return out
    default: return nil
    }
  }

  /// The number as an `Int` when it is whole and within ±2⁵³ (exactly representable).
  public var wholeNumber: Int? {
    guard case .number(let d) = self, d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else { return nil }
    return Int(d)
  }
}
