/// A Swift type an option's field can have: how its values read as `OptionValue`s and back.
public protocol OptionRepresentable: Sendable {
  /// The kind of option such a field is.
  static var optionKind: OptionSpec.Kind { get }
  /// The value as an option (nil for an unset optional).
  var optionValue: OptionValue? { get }
  /// The field's value from an option value of its kind; throws `OptionValueError` when out of range.
  init(option: OptionValue) throws
  /// The names a choice accepts (nil: not a choice).
  static var optionChoices: [String]? { get }
}

extension OptionRepresentable {
  /// Not a choice.
  public static var optionChoices: [String]? { nil }
}

/// Why an option value does not fit its field ("must be ≥ 0, got -1"); the configuration adds
/// the option's name.
public struct OptionValueError: Error, Equatable {
  /// What was expected.
  public let message: String

  /// An error saying `message`.
  public init(_ message: String) { self.message = message }
}

extension Int: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .integer }
  public var optionValue: OptionValue? { .number(Double(self)) }
  public init(option: OptionValue) throws {
    guard let k = option.wholeNumber else { throw OptionValueError("must be a whole number, got \(option)") }
    self = k
  }
}

extension UInt64: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .integer }
  public var optionValue: OptionValue? { .number(Double(self)) }
  public init(option: OptionValue) throws {
    guard let k = option.wholeNumber, k >= 0 else {
      throw OptionValueError("must be a whole number ≥ 0, got \(option)")
    }
    self = UInt64(k)
  }
}

extension Double: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .number }
  public var optionValue: OptionValue? { .number(self) }
  public init(option: OptionValue) throws {
    guard let d = option.numberValue, d.isFinite else { throw OptionValueError("must be a finite number, got \(option)") }
    self = d
  }
}

extension Float: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .number }
  /// The shortest decimal that reads back as this Float (0.9, not 0.8999999761581421).
  public var optionValue: OptionValue? { .number(Double(description) ?? Double(self)) }
  public init(option: OptionValue) throws { self = Float(try Double(option: option)) }
}

extension Bool: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .bool }
  public var optionValue: OptionValue? { .bool(self) }
  public init(option: OptionValue) throws {
    guard let b = option.boolValue else { throw OptionValueError("must be true or false, got \(option)") }
    self = b
  }
}

extension String: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { .string }
  public var optionValue: OptionValue? { .string(self) }
  public init(option: OptionValue) throws {
    guard let s = option.stringValue else { throw OptionValueError("must be a string, got \(option)") }
    self = s
  }
}

extension Array: OptionRepresentable where Element == Int {
  public static var optionKind: OptionSpec.Kind { .integers }
  public var optionValue: OptionValue? { .list(map { .number(Double($0)) }) }
  public init(option: OptionValue) throws {
    guard let l = option.integerList else { throw OptionValueError("must be a list of whole numbers, got \(option)") }
    self = l
  }
}

extension Optional: OptionRepresentable where Wrapped: OptionRepresentable {
  public static var optionKind: OptionSpec.Kind { Wrapped.optionKind }
  public static var optionChoices: [String]? { Wrapped.optionChoices }
  public var optionValue: OptionValue? { self?.optionValue }
  public init(option: OptionValue) throws { self = try Wrapped(option: option) }
}

/// A choice among named cases (an enum with string raw values): a string option whose value
/// must be one of the names.
public protocol OptionChoice: OptionRepresentable, RawRepresentable, CaseIterable where RawValue == String {}

extension OptionChoice {
  public static var optionKind: OptionSpec.Kind { .string }
  public static var optionChoices: [String]? { allCases.map(\.rawValue) }
  public var optionValue: OptionValue? { .string(rawValue) }
  public init(option: OptionValue) throws {
    guard let s = option.stringValue, let c = Self(rawValue: s) else {
      throw OptionValueError(OptionSpec.choiceMessage(Self.allCases.map(\.rawValue), got: "\(option)"))
    }
    self = c
  }
}
