import Core

/// A built-in method's options as one typed value. The configuration declares its option specs
/// once (name, kind, default, doc: what `lethe methods` prints and `MethodOptions.resolve` checks
/// against), and `init(_:)` reads every option through its spec and checks its range, so a method
/// neither repeats option names nor reads an option it did not declare.
protocol MethodConfiguration {
  /// The options, in the order `lethe methods` lists them.
  static var specs: [OptionSpec] { get }
  /// The configuration of resolved options (every spec present); throws on a value out of range,
  /// naming the option.
  init(_ options: MethodOptions) throws
}

extension MethodConfiguration {
  /// The configuration of `given` options: unknown names and wrong kinds are errors (listing the
  /// valid options), missing options take their defaults.
  static func resolve(_ given: [String: OptionValue] = [:], owner: String) throws -> Self {
    try Self(try MethodOptions.resolve(given, specs: specs, owner: owner))
  }
}

extension MethodOptions {
  /// The number option `spec`.
  func number(_ spec: OptionSpec) throws -> Double { try number(spec.name) }
  /// The integer option `spec`.
  func integer(_ spec: OptionSpec) throws -> Int { try integer(spec.name) }

  /// The number option `spec`, which must satisfy `isValid` (described by `requirement`, e.g.
  /// "must be > 0").
  func number(_ spec: OptionSpec, owner: String, _ requirement: String, _ isValid: (Double) -> Bool) throws
    -> Double
  {
    let v = try number(spec)
    guard isValid(v) else { throw MethodError.invalidOption(owner: owner, option: spec.name, message: "\(requirement), got \(v)") }
    return v
  }

  /// The number option `spec` (≥ 0), or nil when it is 0 (the option's "0 means …" default).
  func positiveNumber(_ spec: OptionSpec, owner: String) throws -> Double? {
    let v = try number(spec, owner: owner, "must be ≥ 0") { $0 >= 0 }
    return v > 0 ? v : nil
  }

  /// The integer option `spec` (≥ 0), or nil when it is 0 (the option's "0 means …" default).
  func positiveInteger(_ spec: OptionSpec, owner: String) throws -> Int? {
    let v = try integer(spec, owner: owner, "must be ≥ 0") { $0 >= 0 }
    return v > 0 ? v : nil
  }

  /// The integer option `spec`, which must satisfy `isValid` (described by `requirement`).
  func integer(_ spec: OptionSpec, owner: String, _ requirement: String, _ isValid: (Int) -> Bool) throws -> Int {
    let v = try integer(spec)
    guard isValid(v) else { throw MethodError.invalidOption(owner: owner, option: spec.name, message: "\(requirement), got \(v)") }
    return v
  }
}
