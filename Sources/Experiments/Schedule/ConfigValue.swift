import Core

/// A configuration tree as a script writes it: the Lua host converts a Lua table into this, and
/// `ExperimentPlan` reads schedules from it without knowing about Lua.
public indirect enum ConfigValue: Sendable, Equatable {
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// A boolean.
  case bool(Bool)
  /// A sequence (a Lua table with keys 1...n).
  case list([ConfigValue])
  /// A table with string keys (and, for a spec like `{"neggrad", lr = 0.1}`, its positional
  /// entries in `list`-form under keys "1", "2", ...).
  case table([String: ConfigValue])

  /// A short description of the value's kind, for error messages.
  public var kindName: String {
    switch self {
    case .number: return "number"
    case .string: return "string"
    case .bool: return "boolean"
    case .list: return "list"
    case .table: return "table"
    }
  }

  /// The value as an option value, when it is a scalar.
  public var optionValue: OptionValue? {
    switch self {
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .bool(let b): return .bool(b)
    default: return nil
    }
  }
}
