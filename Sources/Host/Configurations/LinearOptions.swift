import Core

/// `lethe.nn.Linear`'s options table.
struct LinearOptions: OptionConfigurable {
  /// Whether the layer adds a bias.
  var bias = true

  static let optionOwner = "Linear"
  static let options: [Option<LinearOptions>] = [.field("bias", \.bias, doc: "add a learnable bias")]
}
