/// Which part of a sweep one process works on: `lethe run --shard I/N`, `--runs ID,...`,
/// `--models ID,...`, `--stage models`. The whole sweep by default.
public struct SweepSelection: Sendable, Equatable {
  /// What the process does with its share.
  public enum Stage: String, Sendable, CaseIterable {
    /// Runs the methods (training any model that is not cached yet).
    case runs
    /// Trains the models (M0, M_retrain) the runs need, and nothing else: the first job array.
    case models
  }

  /// Runs or models.
  public var stage: Stage
  /// Share I of N of the stage's items, balanced by expected cost.
  public var shard: Shard?
  /// These items only: run keys (stage runs) or model identifiers (stage models), or unique
  /// prefixes of them.
  public var ids: [String]?

  /// A selection.
  public init(stage: Stage = .runs, shard: Shard? = nil, ids: [String]? = nil) {
    self.stage = stage
    self.shard = shard
    self.ids = ids
  }

  /// The whole sweep in this process: merge the parts, run every run, write the report.
  public var isWhole: Bool { stage == .runs && shard == nil && ids == nil }

  /// The items of this selection among `items` (by identifier and expected cost), and which of
  /// the requested identifiers matched one. A requested identifier matching several items is an
  /// error.
  public func pick<T>(_ items: [T], id: (T) -> String, cost: (T) -> Double) throws
    -> (chosen: [T], matched: Set<String>)
  {
    var chosen = items
    var matched = Set<String>()
    if let ids {
      var keep = Set<Int>()
      for wanted in ids {
        let hits = items.indices.filter { id(items[$0]).hasPrefix(wanted) }
        guard hits.count <= 1 || hits.allSatisfy({ id(items[$0]) == id(items[hits[0]]) }) else {
          throw ExperimentError.invalidSchedule(
            "'\(wanted)' names \(hits.count) \(stage.rawValue); give more of the identifier")
        }
        if let first = hits.first {
          matched.insert(wanted)
          keep.insert(first)
        }
      }
      chosen = items.indices.filter { keep.contains($0) }.map { items[$0] }
    }
    if let shard { chosen = Shards.pick(chosen, shard: shard, cost: cost) }
    return (chosen, matched)
  }
}
