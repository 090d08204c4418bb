import Core

/// Runs a schedule's runs in order, appending one record per finished run to a results file.
///
/// Runs already recorded as ok in the file are skipped, so a sweep stopped by Ctrl-C or
/// `kill -9` resumes where it stopped; a run that throws is recorded as failed with its
/// message and the sweep goes on (failed runs are retried on the next invocation). Each run is
/// claimed first (`ResultsLedger.claim`): a run another process is running is skipped, so
/// sweeps started side by side on one results file (or the tasks of a job array) share the work
/// and never run a run twice.
public final class ExperimentRunner {
  /// What a sweep did.
  public struct Summary: Sendable, Equatable {
    /// Runs executed and recorded ok.
    public var completed = 0
    /// Runs skipped because the file already had them.
    public var skipped = 0
    /// Runs executed that failed (recorded as failed).
    public var failed = 0
    /// Runs left alone because another process was running them.
    public var elsewhere = 0
    /// Corrupt lines found in the existing results file (reported, skipped).
    public var corruptLines: [ResultsFile.CorruptLine] = []
  }

  private let executor: RunExecutor
  private let ledger: ResultsLedger
  private let threads: Int
  /// Receives one progress line per event ("[3/12] neggrad ... ok").
  public var progress: (String) -> Void
  /// Errors for which the sweep stops (nothing recorded) instead of recording a failure, such as
  /// a user's interrupt.
  public var isInterruption: (Error) -> Bool = { _ in false }

  /// A runner that executes with `executor` and records into `results`; `threads` is recorded
  /// as the thread count every run used.
  public convenience init(executor: RunExecutor, results: ResultsFile, threads: Int,
    progress: @escaping (String) -> Void = { print($0) })
  {
    self.init(executor: executor, ledger: ResultsLedger(resultsPath: results.path), threads: threads,
      progress: progress)
  }

  /// A runner that executes with `executor` and records through `ledger` (into its part file,
  /// when it has one).
  public init(executor: RunExecutor, ledger: ResultsLedger, threads: Int,
    progress: @escaping (String) -> Void = { print($0) })
  {
    self.executor = executor
    self.ledger = ledger
    self.threads = threads
    self.progress = progress
  }

  /// Executes every run not yet recorded as ok.
  @discardableResult
  public func run(_ runs: [RunIdentity]) throws -> Summary {
    var summary = Summary()
    var done = Set<String>()
    for (file, contents) in try ledger.read() {
      if file.path == ledger.results.path { summary.corruptLines = contents.corrupt }
      for c in contents.corrupt { progress("warning: \(file.path) \(c) (skipped)") }
      done.formUnion(contents.records.filter { $0.status == .ok }.map(\.key))
    }
    let machine = MachineInfo.current(threads: threads)
    for (i, run) in runs.enumerated() {
      let label = "[\(i + 1)/\(runs.count)] \(run.method.name) on \(run.dataset.name)/\(run.model.name) "
        + "\(run.scenario) seed \(run.seed)"
      if done.contains(run.key) {
        summary.skipped += 1
        progress("\(label): already recorded, skipped")
        continue
      }
      guard let claim = try ledger.claim(run.key) else {
        summary.elsewhere += 1
        progress("\(label): running in another process, skipped")
        continue
      }
      defer { claim.release() }
      // Another process may have finished it since this sweep read the results.
      if try ledger.isDone(run.key) {
        summary.skipped += 1
        progress("\(label): already recorded, skipped")
        continue
      }
      progress("\(label): running")
      let record: RunRecord
      do {
        let outcome = try executor.execute(run)
        var ok = RunRecord(
          identity: run, status: .ok, scenarioDigest: outcome.scenarioDigest,
          forgetCount: outcome.forgetCount, metrics: outcome.metrics, notes: outcome.notes,
          timings: outcome.timings, machine: machine)
        ok.work = outcome.work
        ok.metricVariants = outcome.metricVariants.isEmpty ? nil : outcome.metricVariants
        ok.reference = outcome.reference.isEmpty ? nil : outcome.reference.filter { $0.value.isFinite }
        record = ok
        summary.completed += 1
      } catch let failure as RunFailure {
        if isInterruption(failure.underlying) { throw failure.underlying }
        record = RunRecord(
          identity: run, status: .failed, error: failure.description, scenarioDigest: failure.scenarioDigest,
          forgetCount: failure.forgetCount, machine: machine)
        summary.failed += 1
      } catch {
        if isInterruption(error) { throw error }
        record = RunRecord(identity: run, status: .failed, error: FileError.describe(error), machine: machine)
        summary.failed += 1
      }
      // "done" only once the record is on disk: a failed write stops the sweep instead.
      try ledger.append(record)
      progress("\(label): " + (record.status == .ok ? "done" : "FAILED: \(record.error ?? "")"))
    }
    return summary
  }
}
