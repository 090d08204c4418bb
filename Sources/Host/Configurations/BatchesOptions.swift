import Core

/// `ds:batches`'s options table.
struct BatchesOptions: OptionConfigurable {
  /// A seeded random order instead of the stored one.
  var shuffle = false
  /// Seeds the shuffle; the session's generator when nil.
  var seed: UInt64?
  /// Skip a last batch smaller than the batch size.
  var dropLast = false

  static let optionOwner = "batches"
  static let options: [Option<BatchesOptions>] = [
    .field("shuffle", \.shuffle, doc: "a random order"),
    .field("seed", \.seed, doc: "seeds the order (default: the session's generator)"),
    .field("drop_last", \.dropLast, doc: "skip a last, smaller batch"),
  ]
}
