import Core

/// The survey's two basic forget scenarios over any labelled training source.
public enum ScenarioBuilders {
  /// Options of `sample`: the fraction of training samples to forget.
  public static let sampleOptions = [
    OptionSpec("fraction", .number, default: .number(0.01), doc: "share of the training set to forget (0, 1)")
  ]
  /// Options of `label`: the labels to forget, or how many to draw.
  public static let labelOptions = [
    OptionSpec("count", .integer, default: .number(1), doc: "how many labels to forget, drawn with the seed"),
    OptionSpec("labels", .string, default: .string(""),
      doc: "comma-separated labels to forget (overrides count), e.g. \"0,3\""),
  ]

  /// Sample unlearning: a uniformly random `fraction` of the training set (at least one sample),
  /// drawn with `seed`.
  public static func sample(_ spec: NamedSpec, train: BatchSource, seed: UInt64) throws -> ForgetScenario {
    let o = try MethodOptions.resolve(spec.options, specs: sampleOptions, owner: "scenario 'sample'")
    let fraction = try o.number("fraction")
    guard fraction > 0, fraction < 1 else {
      throw MethodError.invalidOption(owner: "scenario 'sample'", option: "fraction", message: "must be in (0, 1)")
    }
    let n = train.sampleCount
    let k = max(1, Int((fraction * Double(n)).rounded()))
    var rng = RandomGenerator(seed: seed ^ 0x5A3B_1E00)
    return ForgetScenario(forget: Array(rng.permutation(n).prefix(k)))
  }

  /// Label unlearning: every training sample of the chosen labels; ACC_test is then measured on
  /// the test samples of the other labels.
  public static func label(_ spec: NamedSpec, train: BatchSource, test: BatchSource, seed: UInt64) throws
    -> ForgetScenario
  {
    let o = try MethodOptions.resolve(spec.options, specs: labelOptions, owner: "scenario 'label'")
    let k = train.classCount
    var labels: [Int]
    let given = try o.string("labels")
    if given.isEmpty {
      let count = try o.integer("count")
      guard count >= 1, count < k else {
        throw MethodError.invalidOption(
          owner: "scenario 'label'", option: "count", message: "must be in 1..<\(k), got \(count)")
      }
      var rng = RandomGenerator(seed: seed ^ 0x1ABE_1000)
      labels = Array(rng.permutation(k).prefix(count))
    } else {
      labels = try given.split(separator: ",").map { part in
        guard let l = Int(part.filter { $0 != " " }), (0..<k).contains(l) else {
          throw MethodError.invalidOption(
            owner: "scenario 'label'", option: "labels", message: "'\(part)' is not a label in 0..<\(k)")
        }
        return l
      }
    }
    let forgotten = Set(labels)
    let trainLabels = try labelsOf(train)
    let testLabels = try labelsOf(test)
    return ForgetScenario(
      forget: trainLabels.indices.filter { forgotten.contains(trainLabels[$0]) },
      testIndices: testLabels.indices.filter { !forgotten.contains(testLabels[$0]) })
  }

  /// Every label of a source, read in batches.
  static func labelsOf(_ source: BatchSource) throws -> [Int] {
    var labels: [Int] = []
    for start in stride(from: 0, to: source.sampleCount, by: 1000) {
      labels += try source.batch(at: Array(start..<min(start + 1000, source.sampleCount))).labels
    }
    return labels
  }
}
