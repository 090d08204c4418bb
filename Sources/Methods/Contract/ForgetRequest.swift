import Core

/// What to forget: the training data, the indices of x* in it, and the retained rest D \ x* in
/// training order.
public struct ForgetRequest: Sendable {
  /// The training set D that M0 saw.
  public var train: any LabeledSource
  /// Positions of x* in `train`, sorted, distinct.
  public var forget: [Int]
  /// Positions of D \ x* in `train`, ascending.
  public var retained: [Int]
  /// A held-out set, for methods that validate (optional).
  public var test: BatchSource?
  /// How `train`'s inputs were normalised from their raw scale (pixels in [0, 1]): each channel
  /// as (x − mean[c]) / std[c]; nil when unknown. Input-editing methods bound their
  /// perturbations in raw units through it.
  public var normalization: Normalization?
  /// Positions in `train` of the validation samples, sorted: a seeded share of D \ x* drawn by
  /// `drawValidation` (empty until then). They are not the test set ACC_test uses; M0 trained on
  /// them, so accuracy on them measures what an edit costs the model, not generalisation.
  public private(set) var validation: [Int] = []

  /// A request; throws when an index is out of range, repeated, or nothing would remain.
  public init(train: any LabeledSource, forget: [Int], test: BatchSource? = nil) throws {
    let sorted = Array(Set(forget)).sorted()
    guard sorted.count == forget.count else {
      throw MethodError.failed(method: "request", message: "the forget set repeats an index")
    }
    if let bad = sorted.first(where: { $0 < 0 || $0 >= train.sampleCount }) {
      throw MethodError.failed(
        method: "request", message: "forget index \(bad) outside 0..<\(train.sampleCount)")
    }
    guard !sorted.isEmpty else { throw MethodError.failed(method: "request", message: "the forget set is empty") }
    guard sorted.count < train.sampleCount else {
      throw MethodError.failed(method: "request", message: "the forget set is the whole training set")
    }
    self.train = train
    self.forget = sorted
    let forgotten = Set(sorted)
    self.retained = (0..<train.sampleCount).filter { !forgotten.contains($0) }
    self.test = test
  }

  /// The classes x* consists of when it is exactly every training sample of those classes
  /// (label unlearning), sorted; nil when some forgotten class keeps samples in D \ x*
  /// (sample unlearning). Reads every training label.
  public func forgottenClasses() -> [Int]? {
    let classes = Set(forget.map { train.label(at: $0) })
    for i in retained where classes.contains(train.label(at: i)) { return nil }
    return classes.sorted()
  }

  /// The share of D \ x* that `drawValidation` takes by default, and the most samples it takes.
  public static let validationShare = 0.1, validationLimit = 1_000

  /// Sets `validation` to a seeded sample of `share` of D \ x* (at most `limit` samples, at least
  /// one when D \ x* is not empty): the same seed gives the same samples.
  public mutating func drawValidation(
    seed: UInt64, share: Double = validationShare, limit: Int = validationLimit
  ) {
    let count = Swift.min(limit, Swift.max(1, Int((share * Double(retained.count)).rounded())), retained.count)
    var rng = RandomGenerator(seed: seed ^ 0x7A1D_A710)
    validation = rng.permutation(retained.count).prefix(count).map { retained[$0] }.sorted()
  }
}
