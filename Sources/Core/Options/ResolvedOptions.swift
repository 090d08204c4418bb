/// A configuration's resolved options: every declared option with the user's value or its default.
///
/// Built by `ResolvedOptions.resolve`, which rejects unknown names (listing the valid ones), values
/// of the wrong kind and missing required options, so a reader takes its options without further
/// checks. Methods know it as `MethodOptions`.
public struct ResolvedOptions: Sendable, Equatable, Codable {
  /// The values by option name (options without a value are absent).
  public private(set) var values: [String: OptionValue]

  /// Options from already-validated values.
  public init(values: [String: OptionValue] = [:]) {
    self.values = values
  }

  /// The user's `given` options checked against `specs` and completed with defaults.
  /// `owner` names the configuration in error messages. Host values (tables, functions,
  /// objects) are never given here: the host's reader checks them.
  public static func resolve(_ given: [String: OptionValue], specs: [OptionSpec], owner: String) throws
    -> ResolvedOptions
  {
    var values: [String: OptionValue] = [:]
    for spec in specs {
      if let d = spec.defaultValue { values[spec.name] = d }
    }
    for (name, value) in given.sorted(by: { $0.key < $1.key }) {
      let spec = try specs.spec(named: name, owner: owner)
      guard spec.accepts(value) else {
        throw OptionError.invalid(owner: owner, option: name, message: spec.rejection(of: value))
      }
      values[name] = value
    }
    if let absent = specs.first(where: { $0.isRequired && !$0.kind.isHostValue && given[$0.name] == nil }) {
      throw OptionError.missing(owner: owner, option: absent.name)
    }
    return ResolvedOptions(values: values)
  }

  /// A number option (declared number or integer).
  public func number(_ name: String) throws -> Double { try value(name, "number", \.numberValue) }

  /// An integer option.
  public func integer(_ name: String) throws -> Int { try value(name, "integer", \.wholeNumber) }

  /// A string option.
  public func string(_ name: String) throws -> String { try value(name, "string", \.stringValue) }

  /// A flag option.
  public func bool(_ name: String) throws -> Bool { try value(name, "bool", \.boolValue) }

  /// A list-of-integers option.
  public func integers(_ name: String) throws -> [Int] { try value(name, "list of integers", \.integerList) }

  /// The options in a stable order, `name=value` joined by commas (for keys and tables).
  public var canonical: String {
    values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  private func value<T>(_ name: String, _ kind: String, _ extract: (OptionValue) -> T?) throws -> T {
    guard let v = values[name].flatMap(extract) else {
      throw OptionError.invalid(owner: "options", option: name, message: "has no \(kind) value")
    }
    return v
  }
}

extension Array where Element == OptionSpec {
  /// The spec called `name`, or an error listing the valid names in declaration order.
  public func spec(named name: String, owner: String) throws -> OptionSpec {
    guard let spec = first(where: { $0.name == name }) else {
      throw OptionError.unknown(owner: owner, option: name, valid: map(\.name))
    }
    return spec
  }
}
