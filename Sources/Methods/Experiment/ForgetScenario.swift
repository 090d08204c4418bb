/// A forget scenario drawn for one training set and seed: the exact indices of x*, a digest of
/// them, and (for label unlearning) the test samples on which ACC_test is measured.
public struct ForgetScenario: Sendable, Equatable {
  /// Positions of x* in the training set, ascending.
  public var forget: [Int]
  /// Positions in the test set on which ACC_test is measured (nil: the whole test set). Label
  /// unlearning measures on the retained labels' test samples.
  public var testIndices: [Int]?
  /// A digest of the forget indices (and test indices), so runs can be reproduced and checked.
  public var digest: String

  /// A scenario; the digest is computed from the indices unless given (the data layer's own).
  public init(forget: [Int], testIndices: [Int]? = nil, digest: String? = nil) {
    self.forget = forget.sorted()
    self.testIndices = testIndices
    let text = self.forget.map(String.init).joined(separator: ",") + "|"
      + (testIndices?.map(String.init).joined(separator: ",") ?? "all")
    self.digest = digest ?? StableHash.hex(text)
  }
}
