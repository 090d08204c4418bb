import Methods

/// What makes two runs the same run: dataset, model, training configuration, scenario, method
/// with its resolved options, and seed. Its `key` names the run in the results file, so a rerun
/// of a schedule can skip the runs already recorded.
public struct RunIdentity: Sendable, Equatable, Hashable, Codable {
  /// The dataset.
  public var dataset: NamedSpec
  /// The model.
  public var model: NamedSpec
  /// The training configuration of M0 (and of M_retrain): a named preset plus overrides.
  public var training: NamedSpec
  /// The forget scenario.
  public var scenario: NamedSpec
  /// The unlearning method with its resolved options (defaults filled in).
  public var method: NamedSpec
  /// The seed of M0's initialisation, data order and the scenario's draw.
  public var seed: UInt64

  /// A run identity.
  public init(
    dataset: NamedSpec, model: NamedSpec, training: NamedSpec, scenario: NamedSpec, method: NamedSpec,
    seed: UInt64
  ) {
    self.dataset = dataset
    self.model = model
    self.training = training
    self.scenario = scenario
    self.method = method
    self.seed = seed
  }

  /// Everything, in a stable text form.
  public var canonical: String {
    [
      "dataset=\(dataset)", "model=\(model)", "training=\(training)", "scenario=\(scenario)",
      "method=\(method)", "seed=\(seed)",
    ].joined(separator: "|")
  }

  /// A 16-hex-digit digest of `canonical` (FNV-1a, 64 bits).
  public var key: String { StableHash.hex(canonical) }

  /// The key of the original model M0 this run starts from (dataset, model, training, seed).
  public var originalModelKey: String { originalModelKey(classes: nil, change: nil) }

  /// The key of the retrained model M_retrain this run is compared with.
  public var retrainKey: String { retrainKey(classes: nil) }

  /// The key of M0 trained on the class subset `classes` (label count; nil: every class) — of
  /// relabelled classes when `relabelling` names how they were made ("kmeans") — and changed by
  /// the run's method as `change` says (nil: the shared M0). With all nil it is `originalModelKey`.
  public func originalModelKey(classes: [Int]?, change: String?, relabelling: String? = nil) -> String {
    var text = "dataset=\(dataset)|model=\(model)|training=\(training)|seed=\(seed)"
    if let classes { text += "|classes=" + classes.map(String.init).joined(separator: ",") }
    if let relabelling { text += "|relabel=\(relabelling)" }
    if let change { text += "|method=\(method.name)|change=\(change)" }
    return StableHash.hex(text)
  }

  /// The key of M_retrain for a run on the class subset `classes` (nil: every class).
  public func retrainKey(classes: [Int]?, relabelling: String? = nil) -> String {
    StableHash.hex("\(originalModelKey(classes: classes, change: nil, relabelling: relabelling))|scenario=\(scenario)")
  }
}

/// FNV-1a over UTF-8 bytes: a stable, dependency-free digest for cache and run keys (not a
/// cryptographic hash; collisions are only a concern for adversarial inputs).
public enum StableHash {
  /// The 64-bit FNV-1a hash of `text`, as 16 lowercase hex digits.
  public static func hex(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}
