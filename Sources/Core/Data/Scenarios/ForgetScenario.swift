/// A forget scenario: which training samples are forgotten, which are retained, the matching test
/// subsets, and (for label-count scenarios) how labels are renumbered. It records the exact indices
/// it selected and a SHA-256 digest of them, so a run can be reproduced, cached and reported.
public struct ForgetScenario: Sendable, Codable, Equatable {
  /// What kind of forgetting, with its parameters.
  public enum Kind: Sendable, Codable, Equatable {
    /// A uniformly random fraction of the training set.
    case sample(fraction: Double)
    /// Every training sample of the given labels.
    case label(labels: [Int])
    /// Keep `keptLabels` (renumbered 0…K−1 in that order) and forget the given (renumbered) labels.
    case labelCount(keptLabels: [Int], forgottenLabels: [Int])
  }

  /// The dataset's name, for messages and reports.
  public let dataset: String
  /// The kind and its parameters.
  public let kind: Kind
  /// The seed the selection was drawn with.
  public let seed: UInt64
  /// Training positions forgotten, ascending.
  public let forgetIndices: [Int]
  /// Training positions retained, ascending.
  public let retainIndices: [Int]
  /// Test positions whose labels are retained (all test samples for sample unlearning).
  public let testRetainIndices: [Int]
  /// Test positions whose labels are forgotten (empty for sample unlearning).
  public let testForgetIndices: [Int]
  /// Old label → new label (−1 when dropped); nil when labels are unchanged.
  public let labelMap: [Int]?
  /// Classes after renumbering.
  public let classCount: Int
  /// Hex SHA-256 over the kind, seed and every index list.
  public let digest: String

  /// A short description, e.g. "label [3] of mnist/train (seed 1, 6000 forgotten, digest 1a2b3c4d)".
  public var summary: String {
    "\(ForgetScenario.describe(kind)) of \(dataset) (seed \(seed), \(forgetIndices.count) forgotten, digest \(digest.prefix(8)))"
  }

  init(dataset: String, kind: Kind, seed: UInt64, forget: [Int], retain: [Int], testRetain: [Int],
       testForget: [Int], labelMap: [Int]?, classCount: Int) {
    self.dataset = dataset
    self.kind = kind
    self.seed = seed
    forgetIndices = forget
    retainIndices = retain
    testRetainIndices = testRetain
    testForgetIndices = testForget
    self.labelMap = labelMap
    self.classCount = classCount
    var h = SHA256()
    h.update("lethe-forget-scenario-v1|\(dataset)|\(ForgetScenario.describe(kind))|\(seed)|\(classCount)|")
    for list in [forget, retain, testRetain, testForget, labelMap ?? []] {
      h.update([list.count])
      h.update(list)
    }
    digest = h.finalizeHex()
  }

  // MARK: Building scenarios

  /// Sample unlearning: forget round(fraction · n) training samples drawn uniformly with `seed`.
  public static func sample(train: any LabeledSource, test: any LabeledSource, fraction: Double,
                            seed: UInt64, dataset: String) throws -> ForgetScenario {
    let name = "sample(\(fraction)) of \(dataset)"
    guard fraction > 0, fraction < 1 else {
      throw DataError.invalidScenario(scenario: name, problem: "fraction must be in (0, 1)")
    }
    let n = train.sampleCount
    let k = Int((fraction * Double(n)).rounded())
    guard k > 0 else {
      throw DataError.invalidScenario(scenario: name, problem: "the forget set is empty (\(n) training samples)")
    }
    guard k < n else {
      throw DataError.invalidScenario(scenario: name, problem: "nothing would be retained")
    }
    var generator = RandomGenerator(seed: seed)
    let permutation = generator.permutation(n)
    var forget = Array(permutation[0..<k])
    forget.sort()
    let retain = complement(forget, n)
    return ForgetScenario(dataset: dataset, kind: .sample(fraction: fraction), seed: seed, forget: forget,
                          retain: retain, testRetain: Array(0..<test.sampleCount), testForget: [],
                          labelMap: nil, classCount: train.classCount)
  }

  /// Label unlearning of the given labels.
  public static func label(train: any LabeledSource, test: any LabeledSource, labels: [Int], seed: UInt64 = 0,
                           dataset: String) throws -> ForgetScenario {
    let name = "label \(labels) of \(dataset)"
    let forgotten = try checkLabels(labels, classCount: train.classCount, scenario: name)
    let (forget, retain) = split(train, by: forgotten)
    guard !forget.isEmpty else {
      throw DataError.invalidScenario(scenario: name, problem: "no training sample has these labels")
    }
    guard !retain.isEmpty else {
      throw DataError.invalidScenario(scenario: name, problem: "every training sample would be forgotten")
    }
    let (testForget, testRetain) = split(test, by: forgotten)
    return ForgetScenario(dataset: dataset, kind: .label(labels: forgotten.sorted()), seed: seed,
                          forget: forget, retain: retain, testRetain: testRetain, testForget: testForget,
                          labelMap: nil, classCount: train.classCount)
  }

  /// Label unlearning of `count` labels chosen at random with `seed`.
  public static func randomLabels(train: any LabeledSource, test: any LabeledSource, count: Int,
                                  seed: UInt64, dataset: String) throws -> ForgetScenario {
    guard count > 0, count < train.classCount else {
      throw DataError.invalidScenario(
        scenario: "\(count) random labels of \(dataset)",
        problem: "label count must be in 1..<\(train.classCount)")
    }
    var generator = RandomGenerator(seed: seed)
    let labels = Array(generator.permutation(train.classCount)[0..<count])
    return try label(train: train, test: test, labels: labels, seed: seed, dataset: dataset)
  }

  /// Label count: keep `keep` labels (given, or drawn with `seed` when nil: the first K of a seeded
  /// permutation), renumber them 0…K−1, and forget `forget` of the renumbered labels (drawn with
  /// `seed` when nil: one label).
  public static func labelCount(train: any LabeledSource, test: any LabeledSource, keep: Int,
                                keptLabels: [Int]? = nil, forget: [Int]? = nil, seed: UInt64,
                                dataset: String) throws -> ForgetScenario {
    let name = "label-count K=\(keep) of \(dataset)"
    guard keep >= 2, keep <= train.classCount else {
      throw DataError.invalidScenario(scenario: name, problem: "K must be in 2...\(train.classCount)")
    }
    var generator = RandomGenerator(seed: seed)
    let kept = try keptLabels.map { try checkLabels($0, classCount: train.classCount, scenario: name) }
      ?? Array(generator.permutation(train.classCount)[0..<keep])
    guard kept.count == keep else {
      throw DataError.invalidScenario(scenario: name, problem: "\(kept.count) kept labels given for K=\(keep)")
    }
    let forgotten = try forget.map { try checkLabels($0, classCount: keep, scenario: name) }
      ?? [generator.nextInt(below: keep)]
    guard forgotten.count < keep else {
      throw DataError.invalidScenario(scenario: name, problem: "every kept label would be forgotten")
    }
    var map = [Int](repeating: -1, count: train.classCount)
    for (new, old) in kept.enumerated() { map[old] = new }
    let forgetOld = Set(forgotten.map { kept[$0] })
    var forgetIdx: [Int] = [], retainIdx: [Int] = [], testForget: [Int] = [], testRetain: [Int] = []
    for i in 0..<train.sampleCount {
      let l = train.label(at: i)
      guard map[l] >= 0 else { continue }
      if forgetOld.contains(l) { forgetIdx.append(i) } else { retainIdx.append(i) }
    }
    for i in 0..<test.sampleCount {
      let l = test.label(at: i)
      guard l < map.count, map[l] >= 0 else { continue }
      if forgetOld.contains(l) { testForget.append(i) } else { testRetain.append(i) }
    }
    guard !forgetIdx.isEmpty else {
      throw DataError.invalidScenario(scenario: name, problem: "the forget set is empty")
    }
    guard !retainIdx.isEmpty else {
      throw DataError.invalidScenario(scenario: name, problem: "nothing would be retained")
    }
    return ForgetScenario(dataset: dataset, kind: .labelCount(keptLabels: kept, forgottenLabels: forgotten.sorted()),
                          seed: seed, forget: forgetIdx, retain: retainIdx, testRetain: testRetain,
                          testForget: testForget, labelMap: map, classCount: keep)
  }

  // MARK: Views

  /// The four views a run needs, sharing the datasets' storage: retained and forgotten training
  /// samples, and test samples of retained and of forgotten labels (relabelled for label count).
  public struct Views: Sendable {
    public let retain: DataView
    public let forget: DataView
    public let testRetain: DataView
    public let testForget: DataView
    /// The whole kept training set (retain ∪ forget, in position order): what M0 trains on.
    public let train: DataView
    /// The whole kept test set.
    public let test: DataView
  }

  /// Views over `train` and `test`, which must be the sources the scenario was built from.
  public func views(train: any LabeledSource, test: any LabeledSource) throws -> Views {
    let maxTrain = max(forgetIndices.last ?? -1, retainIndices.last ?? -1)
    guard maxTrain < train.sampleCount, (testRetainIndices + testForgetIndices).allSatisfy({ $0 < test.sampleCount }) else {
      throw DataError.invalidScenario(
        scenario: summary, problem: "built for larger datasets than the ones given (\(train.sampleCount) train, \(test.sampleCount) test)")
    }
    func view(_ base: any LabeledSource, _ idx: [Int], _ part: String) throws -> DataView {
      let name = "\(dataset) \(part)"
      if let labelMap {
        return try DataView(base: base, indices: idx, labelMap: labelMap, classCount: classCount, name: name)
      }
      return try DataView(base: base, indices: idx, name: name)
    }
    return Views(
      retain: try view(train, retainIndices, "retain"),
      forget: try view(train, forgetIndices, "forget"),
      testRetain: try view(test, testRetainIndices, "test-retain"),
      testForget: try view(test, testForgetIndices, "test-forget"),
      train: try view(train, (forgetIndices + retainIndices).sorted(), "train"),
      test: try view(test, (testRetainIndices + testForgetIndices).sorted(), "test"))
  }

  // MARK: Helpers

  /// A stable text for a kind (also hashed into the digest).
  static func describe(_ kind: Kind) -> String {
    switch kind {
    case .sample(let r): return "sample \(r)"
    case .label(let labels): return "label \(labels)"
    case .labelCount(let kept, let forgotten): return "label-count K=\(kept.count) kept \(kept) forget \(forgotten)"
    }
  }

  private static func checkLabels(_ labels: [Int], classCount: Int, scenario: String) throws -> [Int] {
    guard !labels.isEmpty else {
      throw DataError.invalidScenario(scenario: scenario, problem: "no labels given (empty forget set)")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
      throw DataError.invalidScenario(scenario: scenario, problem: "label \(bad) outside 0..<\(classCount)")
    }
    guard Set(labels).count == labels.count else {
      throw DataError.invalidScenario(scenario: scenario, problem: "labels \(labels) repeat")
    }
    return labels
  }

  private static func split(_ source: any LabeledSource, by labels: [Int]) -> ([Int], [Int]) {
    let set = Set(labels)
    var inside: [Int] = [], outside: [Int] = []
    for i in 0..<source.sampleCount {
      if set.contains(source.label(at: i)) { inside.append(i) } else { outside.append(i) }
    }
    return (inside, outside)
  }

  private static func complement(_ sorted: [Int], _ n: Int) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(n - sorted.count)
    var j = 0
    for i in 0..<n {
      if j < sorted.count && sorted[j] == i { j += 1 } else { out.append(i) }
    }
    return out
  }
}
