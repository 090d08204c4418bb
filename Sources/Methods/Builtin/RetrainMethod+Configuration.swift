import Core

extension RetrainMethod {
  /// `retrain`'s options: M0's recipe unless the epochs are given.
  struct Configuration: MethodConfiguration {
    static let epochs = OptionSpec("epochs", .integer, default: .number(0), doc: "epochs; 0 means M0's epoch count")
    static let specs = [epochs]

    /// The epoch count (nil: M0's).
    var epochs: Int?

    init(_ o: MethodOptions) throws {
      epochs = try o.positiveInteger(Self.epochs, owner: "method 'retrain'")
    }
  }
}
