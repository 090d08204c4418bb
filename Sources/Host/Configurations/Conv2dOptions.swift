import Core

/// The options table of `lethe.nn.Conv2d` (all of them) and of the functional `lethe.nn.conv2d`
/// (`geometry`: stride and padding).
struct Conv2dOptions: OptionConfigurable {
  /// The step between windows.
  var stride = 1
  /// Zeros added on each side.
  var padding = 0
  /// Whether the layer adds a bias.
  var bias = true

  static let optionOwner = "Conv2d"
  static let geometry: [Option<Conv2dOptions>] = [
    .field("stride", \.stride, doc: "step between windows"),
    .field("padding", \.padding, doc: "zeros added on each side"),
  ]
  static let options: [Option<Conv2dOptions>] = geometry + [.field("bias", \.bias, doc: "add a learnable bias")]
}
