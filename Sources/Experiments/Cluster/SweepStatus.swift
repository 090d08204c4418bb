/// Where a sweep stands: each run done (an ok record in the results file or a part), running (a
/// live process holds its claim), failed (its last record failed) or missing (no record at all,
/// such as a run whose task was killed).
public struct SweepStatus: Sendable {
  /// Runs recorded ok.
  public var done: [String] = []
  /// Runs a live process is running now.
  public var running: [String] = []
  /// Runs whose records are all failures, with the last error.
  public var failed: [(key: String, error: String)] = []
  /// Runs with no record.
  public var missing: [String] = []
  /// Records in part files, not yet merged into the results file.
  public var unmerged = 0
  /// Corrupt lines across the files ("file line N: reason").
  public var corrupt: [String] = []

  /// Runs still to do: failed or missing, in the sweep's order (those running are someone's).
  public private(set) var pending: [String] = []

  /// The status of every run of `sweep`.
  public static func of(_ sweep: SweepPlan) throws -> SweepStatus {
    let ledger = ResultsLedger(resultsPath: sweep.plan.resultsPath)
    var ok = Set<String>()
    var lastError: [String: String] = [:]
    var status = SweepStatus()
    for (file, contents) in try ledger.read() {
      if file.path != ledger.results.path { status.unmerged += contents.records.count }
      status.corrupt += contents.corrupt.map { "\(file.path) \($0)" }
      for r in contents.records {
        if r.status == .ok { ok.insert(r.key) } else { lastError[r.key] = r.error ?? "failed" }
      }
    }
    for run in sweep.runs {
      let key = run.key
      if ok.contains(key) {
        status.done.append(key)
      } else if ledger.isRunning(key) {
        status.running.append(key)
      } else if let e = lastError[key] {
        status.failed.append((key, e))
        status.pending.append(key)
      } else {
        status.missing.append(key)
        status.pending.append(key)
      }
    }
    return status
  }
}
