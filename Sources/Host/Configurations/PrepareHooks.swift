import Core

/// The table a Lua method's `prepare(opts)` returns: how it changes M0's training, and hooks.
struct PrepareHooks: OptionConfigurable {
  /// How the method changes M0's training (keys M0's cache); nil when it only watches.
  var change: String?

  static let optionOwner = "prepare"
  static let hookNames = ["start", "step", "epoch", "loss"]
  static let options: [Option<PrepareHooks>] =
    [.field("change", \.change, doc: "how the method changes M0's training")]
    + hookNames.map { .host($0, .function, doc: "hook '\($0)'") }
}
