/// A learning-rate schedule as a table writes it: `{kind = 'step', every, gamma}`,
/// `{kind = 'cosine', period, min}`, `{kind = 'warmup', steps, after = schedule}` or
/// `{kind = 'constant'}`. Each kind accepts `kind` and its own options only.
public struct LRScheduleOptions: OptionConfigurable {
  /// The schedule's shape.
  public enum Kind: String, Sendable, OptionChoice {
    /// Factor 1.
    case constant
    /// gamma^⌊t / every⌋.
    case step
    /// Cosine annealing over `period` down to `min`.
    case cosine
    /// Linear warm-up over `steps`, then `after`.
    case warmup
  }

  /// The kind.
  public var kind = Kind.constant
  /// step: decay every this many units.
  public var every = 1
  /// step: the decay factor.
  public var gamma: Float = 0.1
  /// cosine: the period in units.
  public var period = 1
  /// cosine: the final factor.
  public var minFactor: Float = 0
  /// warmup: units of linear warm-up.
  public var steps = 1
  /// warmup: the schedule after the warm-up (a nested table the host reads).
  public var after = LRSchedule.constant

  /// The defaults: constant.
  public init() {}

  /// "schedule".
  public static let optionOwner = "schedule"

  /// `kind`, which decides the table's other options.
  public static let kindOption = Option<Self>.field("kind", \.kind, doc: "constant, step, cosine or warmup")

  /// Every option of every kind.
  public static let options: [Option<Self>] = Kind.allCases.flatMap { options(for: $0) }.reduce(into: []) {
    all, o in if !all.contains(where: { $0.name == o.name }) { all.append(o) }
  }

  /// The options of one kind: `kind` and the kind's own.
  public static func options(for kind: Kind) -> [Option<Self>] {
    switch kind {
    case .constant: return [kindOption]
    case .step:
      return [
        kindOption, .field("every", \.every, doc: "decay every this many units"),
        .field("gamma", \.gamma, doc: "decay factor"),
      ]
    case .cosine:
      return [
        kindOption, .field("period", \.period, doc: "period in units"),
        .field("min", \.minFactor, doc: "final factor"),
      ]
    case .warmup:
      return [
        kindOption, .field("steps", \.steps, doc: "units of linear warm-up"),
        .host("after", .table, doc: "the schedule after the warm-up"),
      ]
    }
  }

  /// The schedule, validated.
  public func schedule() throws -> LRSchedule {
    let s: LRSchedule
    switch kind {
    case .constant: s = .constant
    case .step: s = .step(every: every, gamma: gamma)
    case .cosine: s = .cosine(period: period, minFactor: minFactor)
    case .warmup: s = .warmup(steps: steps, then: after)
    }
    try s.validate()
    return s
  }
}
