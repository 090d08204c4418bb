import Core
import Methods

/// A smaller copy of a dataset for a schedule that cannot afford the whole one (the survey's
/// `laptop` profile runs ResNet-18 on part of CIFAR-10): `subset = N` keeps N training samples,
/// `test_subset = M` keeps M test samples, each drawn class by class (as even a share of every
/// class as the counts allow) with a fixed seed, so every run, seed and process sees the same
/// subset. The input normalisation stays the full training set's.
struct DatasetReduction: Equatable {
  /// Training samples kept (nil: all).
  var train: Int?
  /// Test samples kept (nil: all).
  var test: Int?

  /// The option names a dataset spec may carry besides its loader's.
  static let specs = [
    OptionSpec("subset", .integer, default: .number(0), doc: "keep this many training samples, class-balanced; 0: all"),
    OptionSpec("test_subset", .integer, default: .number(0), doc: "keep this many test samples, class-balanced; 0: all"),
  ]

  /// The reduction a spec asks for, and the spec's other options (for the loader).
  static func split(_ spec: NamedSpec) throws -> (DatasetReduction, [String: OptionValue]) {
    var rest = spec.options
    var given: [String: OptionValue] = [:]
    for s in specs { given[s.name] = rest.removeValue(forKey: s.name) }
    let o = try MethodOptions.resolve(given, specs: specs, owner: "dataset '\(spec.name)'")
    let train = try o.integer("subset"), test = try o.integer("test_subset")
    guard train >= 0, test >= 0 else {
      throw ExperimentError.invalidSchedule("dataset '\(spec.name)': subset and test_subset must be ≥ 0")
    }
    return (DatasetReduction(train: train > 0 ? train : nil, test: test > 0 ? test : nil), rest)
  }

  /// `splits` reduced.
  func apply(_ splits: ExperimentCatalog.Splits) throws -> ExperimentCatalog.Splits {
    var out = splits
    if let train { out.train = try Self.stratified(splits.train, keep: train, name: "\(splits.name) train subset") }
    if let test { out.test = try Self.stratified(splits.test, keep: test, name: "\(splits.name) test subset") }
    return out
  }

  /// `keep` samples of `source`, class by class: each class gives ⌊keep/K⌋ (the first keep mod K
  /// classes, in label order, one more), fewer when it has fewer; positions in increasing order.
  static func stratified(_ source: any LabeledSource, keep: Int, name: String) throws -> any LabeledSource {
    guard keep < source.sampleCount else { return source }
    var byClass = [[Int]](repeating: [], count: source.classCount)
    for i in 0..<source.sampleCount { byClass[source.label(at: i)].append(i) }
    var rng = RandomGenerator(seed: 0x5B5E_7000)
    var kept: [Int] = []
    let k = source.classCount
    for (c, members) in byClass.enumerated() {
      let quota = keep / k + (c < keep % k ? 1 : 0)
      kept += rng.permutation(members.count).prefix(quota).map { members[$0] }
    }
    return try DataView(base: source, indices: kept.sorted(), name: name)
  }
}
