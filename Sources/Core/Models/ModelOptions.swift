extension Models.Activation: OptionChoice {}
extension ResNet.Stem: OptionChoice {}

/// The options a table may give a model (each model reads the ones that concern it), each
/// defaulting to the value `Models.Options()` holds.
extension Models.Options: OptionConfigurable {
  /// "model".
  public static let optionOwner = "model"

  /// dropout1, dropout2, hidden, activation, stem.
  public static let options: [Option<Models.Options>] = [
    .field("dropout1", \.cnnDropout1, doc: "cnn: dropout after the max-pool"),
    .field("dropout2", \.cnnDropout2, doc: "cnn: dropout after fc1"),
    Option(
      "hidden", .integers, doc: "cnn: fc1 width (the first); mlp: hidden widths",
      read: { $0.mlpHidden.optionValue },
      write: { o, value in
        let widths = try [Int](option: value)
        o.mlpHidden = widths
        if let first = widths.first { o.cnnHidden = first }
      }),
    .field("activation", \.mlpActivation, doc: "mlp: relu or tanh"),
    .field("stem", \.resnetStem, doc: "resnet18: cifar or imagenet"),
  ]
}
