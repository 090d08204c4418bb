import Core

/// A named thing with options, as a schedule names it: a dataset (`fashion-mnist`), a model
/// (`cnn`), a scenario (`sample` with `fraction=0.01`), a method (`neggrad` with `lr=0.01`).
public struct NamedSpec: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// The registered name.
  public var name: String
  /// Options, by name.
  public var options: [String: OptionValue]

  /// A spec.
  public init(_ name: String, _ options: [String: OptionValue] = [:]) {
    self.name = name
    self.options = options
  }

  /// `name(k=v,...)` with options sorted by key: stable across runs, used in run keys.
  public var canonical: String {
    let opts = options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    return opts.isEmpty ? name : "\(name)(\(opts))"
  }

  /// The canonical form.
  public var description: String { canonical }
}
