import ArgumentParser
import Experiments

/// `lethe run`'s options that pick one share of a schedule: `--shard I/N`, `--runs ID,...`,
/// `--models ID,...`, `--stage runs|models`. They may also follow the script's name (`lethe run
/// sched.lua --shard 2/4`): those four are taken out of the script's arguments wherever they
/// stand, and everything else after the name stays the script's.
struct ShareOptions: ParsableArguments {
  @Option(name: .long, help: "Run share I of N of each sweep, balanced by expected cost (e.g. 2/8).")
  var shard: String?

  @Option(name: .long, help: "Run only these runs (identifiers from `lethe plan`, comma-separated).")
  var runs: String?

  @Option(name: .long, help: "Train only these models (identifiers from `lethe plan`), no methods.")
  var models: String?

  @Option(name: .long, help: "runs (default) or models: what a --shard takes a share of.")
  var stage: String?

  /// The option names that may follow the script's name.
  static let names = ["--shard", "--runs", "--models", "--stage"]

  /// Takes these options out of a script's `arguments` (`--shard 2/4` or `--shard=2/4`).
  mutating func absorb(_ arguments: inout [String]) throws {
    var kept: [String] = []
    var i = 0
    while i < arguments.count {
      let a = arguments[i]
      let (name, inline) = a.firstIndex(of: "=").map { (String(a[..<$0]), String(a[a.index(after: $0)...])) }
        ?? (a, nil)
      guard Self.names.contains(name) else {
        kept.append(a)
        i += 1
        continue
      }
      let value: String
      if let inline {
        value = inline
        i += 1
      } else {
        guard i + 1 < arguments.count else { throw ValidationError("\(name) needs a value") }
        value = arguments[i + 1]
        i += 2
      }
      switch name {
      case "--shard": shard = value
      case "--runs": runs = value
      case "--models": models = value
      default: stage = value
      }
    }
    arguments = kept
  }

  /// The selection these options name.
  func selection() throws -> SweepSelection {
    if runs != nil && models != nil { throw ValidationError("give --runs or --models, not both") }
    var stage = SweepSelection.Stage.runs
    if let s = self.stage {
      guard let parsed = SweepSelection.Stage(rawValue: s) else {
        throw ValidationError("--stage must be runs or models, got '\(s)'")
      }
      stage = parsed
    }
    if models != nil { stage = .models }
    if runs != nil && stage == .models { throw ValidationError("--runs names runs; use --models with --stage models") }
    let ids = (runs ?? models).map { $0.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) } }
    if let ids, ids.isEmpty || ids.contains(where: \.isEmpty) {
      throw ValidationError("--\(runs != nil ? "runs" : "models") wants identifiers separated by commas")
    }
    do {
      return SweepSelection(stage: stage, shard: try shard.map { try Shard(parsing: $0) }, ids: ids)
    } catch let error as ExperimentError {
      throw ValidationError("\(error)")
    }
  }

  /// After the script ran: an error when it was no schedule, when a requested identifier named
  /// nothing, or when models failed to train.
  static func check(_ control: SweepControl, file: String) throws {
    let selection = control.selection
    guard !selection.isWhole else { return }
    guard !control.sweeps.isEmpty else {
      throw ScriptFailure(message: "lethe: \(file) never called lethe.experiment.run, so it has no runs to share")
    }
    let unknown = (selection.ids ?? []).filter { !control.matched.contains($0) }
    if !unknown.isEmpty {
      throw ScriptFailure(
        message: "lethe: no \(selection.stage == .models ? "model" : "run") of \(file) has the identifier "
          + "\(unknown.joined(separator: ", ")) (`lethe plan \(file)` lists them)")
    }
    if !control.modelFailures.isEmpty {
      throw ScriptFailure(
        message: "lethe: \(control.modelFailures.count) model(s) failed to train:\n  "
          + control.modelFailures.joined(separator: "\n  "))
    }
  }
}
