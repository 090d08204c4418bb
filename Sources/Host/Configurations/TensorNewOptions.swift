import Core

/// `lethe.tensor.new`'s options table.
struct TensorNewOptions: OptionConfigurable {
  /// Whether gradients flow to the new leaf.
  var requiresGrad = false

  static let optionOwner = "tensor.new"
  static let options: [Option<TensorNewOptions>] = [
    .field("requires_grad", \.requiresGrad, doc: "gradients flow to the new tensor")
  ]
}
