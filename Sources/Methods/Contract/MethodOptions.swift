/// A method's resolved options: every declared option with the user's value or its default.
///
/// Built by `MethodOptions.resolve`, which rejects unknown names (listing the valid ones) and
/// values of the wrong kind, so a method reads its options without further checks.
public struct MethodOptions: Sendable, Equatable, Codable {
  /// The values by option name.
  public private(set) var values: [String: OptionValue]

  /// Options from already-validated values.
  public init(values: [String: OptionValue] = [:]) {
    self.values = values
  }

  /// The user's `given` options checked against `specs` and completed with defaults.
  /// `owner` names the method in error messages.
  public static func resolve(_ given: [String: OptionValue], specs: [OptionSpec], owner: String) throws
    -> MethodOptions
  {
    var values: [String: OptionValue] = [:]
    for spec in specs { values[spec.name] = spec.defaultValue }
    for (name, value) in given.sorted(by: { $0.key < $1.key }) {
      guard let spec = specs.first(where: { $0.name == name }) else {
        throw MethodError.unknownOption(
          owner: owner, option: name, valid: specs.map(\.name))
      }
      guard spec.accepts(value) else {
        throw MethodError.invalidOption(
          owner: owner, option: name, message: "expects a \(spec.kind.rawValue), got \(value)")
      }
      values[name] = value
    }
    return MethodOptions(values: values)
  }

  /// A number option (declared number or integer).
  public func number(_ name: String) throws -> Double {
    guard let d = values[name]?.numberValue else { throw missing(name, "number") }
    return d
  }

  /// An integer option.
  public func integer(_ name: String) throws -> Int {
    guard let d = values[name]?.numberValue, d.rounded() == d, abs(d) < 1e15 else {
      throw missing(name, "integer")
    }
    return Int(d)
  }

  /// A string option.
  public func string(_ name: String) throws -> String {
    guard let s = values[name]?.stringValue else { throw missing(name, "string") }
    return s
  }

  /// A flag option.
  public func bool(_ name: String) throws -> Bool {
    guard let b = values[name]?.boolValue else { throw missing(name, "bool") }
    return b
  }

  /// The options in a stable order, `name=value` joined by commas (for keys and tables).
  public var canonical: String {
    values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  private func missing(_ name: String, _ kind: String) -> MethodError {
    MethodError.invalidOption(owner: "options", option: name, message: "no \(kind) value")
  }
}
