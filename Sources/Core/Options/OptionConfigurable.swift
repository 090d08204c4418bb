/// A typed configuration that a table of options sets (a Lua argument table, a schedule entry).
///
/// A configuration declares its options once, in `options`; each option's default is the value
/// its field has in `init()` (or in the `base` a caller starts from), so no default is written
/// twice. Building one from given values rejects unknown names (listing the valid ones), values
/// of the wrong kind and missing required options, naming the option.
public protocol OptionConfigurable: Sendable {
  /// The defaults.
  init()
  /// The options, in the order error messages and listings show them.
  static var options: [Option<Self>] { get }
  /// Names the configuration in error messages ("fit", "optim.sgd").
  static var optionOwner: String { get }
}

extension OptionConfigurable {
  /// The option specs, with the defaults `base` holds.
  public static func optionSpecs(base: Self = Self(), options list: [Option<Self>] = Self.options)
    -> [OptionSpec]
  {
    list.map { $0.spec(base: base) }
  }

  /// `base` with the `given` options applied: unknown names, wrong kinds, bad values and missing
  /// required options are `OptionError`s naming `owner`. Options of `list` that hold host values
  /// (tables, functions, objects) are never given here: the host reads them.
  public init(
    options given: [String: OptionValue], base: Self = Self(), options list: [Option<Self>] = Self.options,
    owner: String = Self.optionOwner
  ) throws {
    _ = try ResolvedOptions.resolve(given, specs: Self.optionSpecs(base: base, options: list), owner: owner)
    var config = base
    for option in list {
      guard let value = given[option.name], let write = option.write else { continue }
      do {
        try write(&config, value)
      } catch let error as OptionValueError {
        throw OptionError.invalid(owner: owner, option: option.name, message: error.message)
      }
    }
    self = config
  }
}

/// One option of configuration `Config`: its name, kind and doc, how to read its current value
/// (the default, in a base configuration) and how to set it.
public struct Option<Config>: Sendable {
  /// The name as written in tables.
  public let name: String
  /// The accepted kind.
  public let kind: OptionSpec.Kind
  /// One line saying what it does.
  public let doc: String
  /// Whether it must be given.
  public let isRequired: Bool
  /// The names it accepts, for a choice.
  public let choices: [String]?
  let read: @Sendable (Config) -> OptionValue?
  let write: (@Sendable (inout Config, OptionValue) throws -> Void)?

  /// An option with explicit accessors, for an option that sets more than one field. `write`
  /// throws `OptionValueError` for a value out of range.
  public init(
    _ name: String, _ kind: OptionSpec.Kind, doc: String, required: Bool = false, choices: [String]? = nil,
    read: @escaping @Sendable (Config) -> OptionValue?,
    write: @escaping @Sendable (inout Config, OptionValue) throws -> Void
  ) {
    self.name = name
    self.kind = kind
    self.doc = doc
    self.isRequired = required
    self.choices = choices
    self.read = read
    self.write = write
  }

  private init(name: String, kind: OptionSpec.Kind, doc: String, required: Bool) {
    self.name = name
    self.kind = kind
    self.doc = doc
    self.isRequired = required
    self.choices = nil
    self.read = { _ in nil }
    self.write = nil
  }

  /// The option stored in field `field`; its default is the field's value in the base.
  public static func field<V: OptionRepresentable>(
    _ name: String, _ field: WritableKeyPath<Config, V> & Sendable, doc: String, required: Bool = false
  ) -> Option {
    Option(
      name, V.optionKind, doc: doc, required: required, choices: V.optionChoices,
      read: { $0[keyPath: field].optionValue },
      write: { config, value in config[keyPath: field] = try V(option: value) })
  }

  /// An option only the host can hold (a nested table, a function, an object): declared here so
  /// that names are checked, read by the binding.
  public static func host(_ name: String, _ kind: OptionSpec.Kind, doc: String, required: Bool = false)
    -> Option
  {
    Option(name: name, kind: kind, doc: doc, required: required)
  }

  /// This option of a part (`field` of a larger configuration), as an option of the whole.
  public func lifted<Whole>(_ field: WritableKeyPath<Whole, Config> & Sendable) -> Option<Whole> {
    let read = self.read
    guard let write = self.write else { return .host(name, kind, doc: doc, required: isRequired) }
    return Option<Whole>(
      name, kind, doc: doc, required: isRequired, choices: choices, read: { read($0[keyPath: field]) },
      write: { whole, value in try write(&whole[keyPath: field], value) })
  }

  /// The spec, with the default `base` holds.
  public func spec(base: Config) -> OptionSpec {
    if !isRequired, let value = read(base) {
      return OptionSpec(name, kind, default: value, doc: doc).choosing(choices)
    }
    return OptionSpec(name, kind, doc: doc, required: isRequired).choosing(choices)
  }
}
