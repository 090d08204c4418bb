/// One documented option of a configuration (a method, a training run, a model, a Lua argument
/// table): its name, kind, default and a one-line description. `lethe methods` prints these.
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
    /// A list of whole numbers (a single one stands for a list of one).
    case integers
    /// A nested table the host reads with a configuration of its own (a schedule, a map).
    case table
    /// A function of the host's scripting language (a hook, a loss).
    case function
    /// An object of the host (a dataset).
    case object

    /// Whether only the host can hold such a value (a table, a function, an object): resolution
    /// never sees it, the host's reader checks its type and the binding reads it.
    public var isHostValue: Bool { self == .table || self == .function || self == .object }
  }

  /// The option's name as written in schedules and Lua tables (`lr`, `epochs`).
  public var name: String
  /// The accepted kind of value.
  public var kind: Kind
  /// The value used when the option is not given; nil when it has none (required, or optional
  /// with nothing in its place).
  public var defaultValue: OptionValue?
  /// Whether the option must be given.
  public var isRequired: Bool
  /// The values a string option accepts, when it is a choice among names (nil: any).
  public var choices: [String]?
  /// One line saying what the option does.
  public var doc: String

  /// An option with a default.
  public init(_ name: String, _ kind: Kind, default defaultValue: OptionValue, doc: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.isRequired = false
    self.doc = doc
  }

  /// The same option accepting only `choices` (names).
  public func choosing(_ choices: [String]?) -> OptionSpec {
    var s = self
    s.choices = choices
    return s
  }

  /// An option without a default: required, or optional (absent means "not set").
  public init(_ name: String, _ kind: Kind, doc: String, required: Bool = false) {
    self.name = name
    self.kind = kind
    self.defaultValue = nil
    self.isRequired = required
    self.doc = doc
  }

  /// The default as listings print it: the value, "required" or "none".
  public var defaultDescription: String {
    if let v = defaultValue { return v.description }
    return isRequired ? "required" : "none"
  }

  /// Why `value` is not acceptable: "must be one of 'a', 'b', got 'c'" for a choice, else
  /// "expects a number, got x".
  public func rejection(of value: OptionValue) -> String {
    if let choices, case .string(let s) = value { return Self.choiceMessage(choices, got: s) }
    let article = kind.rawValue.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    return "expects \(article) \(kind.rawValue), got \(value)"
  }

  /// "must be one of 'a', 'b', got 'c'".
  public static func choiceMessage(_ choices: [String], got value: String) -> String {
    "must be one of \(choices.map { "'\($0)'" }.joined(separator: ", ")), got '\(value)'"
  }

  /// Whether `value` is acceptable for this option (host values never are: the host checks them).
  public func accepts(_ value: OptionValue) -> Bool {
    switch (kind, value) {
    case (.number, .number(let d)): return d.isFinite
    case (.integer, .number(let d)): return d.isFinite && d.rounded() == d
    case (.string, .string(let s)): return choices?.contains(s) ?? true
    case (.bool, .bool): return true
    case (.integers, _): return value.integerList != nil
    default: return false
    }
  }
}
