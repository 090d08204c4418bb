/// One documented option of a method (or a training configuration): its name, kind, default
/// and a one-line description. `lethe methods` prints these.
public struct OptionSpec: Sendable, Equatable, Codable {
  /// What values the option accepts.
  public enum Kind: String, Sendable, Codable {
    /// Any finite number.
    case number
    /// A whole number.
    case integer
    /// A string.
    case string
    /// true or false.
    case bool
  }

  /// The option's name as written in schedules (`lr`, `epochs`).
  public var name: String
  /// The accepted kind of value.
  public var kind: Kind
  /// The value used when the option is not given.
  public var defaultValue: OptionValue
  /// One line saying what the option does.
  public var doc: String

  /// An option spec.
  public init(_ name: String, _ kind: Kind, default defaultValue: OptionValue, doc: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.doc = doc
  }

  /// Whether `value` is acceptable for this option.
  public func accepts(_ value: OptionValue) -> Bool {
    switch (kind, value) {
    case (.number, .number(let d)): return d.isFinite
    case (.integer, .number(let d)): return d.isFinite && d.rounded() == d
    case (.string, .string): return true
    case (.bool, .bool): return true
    default: return false
    }
  }
}
