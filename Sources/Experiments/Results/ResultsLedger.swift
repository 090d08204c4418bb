import Core
import Foundation

/// A sweep's results as every process that works on it sees them: the results file the schedule
/// names (`results/run.jsonl`) plus the part files of cluster tasks (`results/run.parts/*.jsonl`,
/// one per task, because appends from several machines to one file over NFS are not atomic).
/// `merge` folds the parts into the results file.
///
/// Nothing runs twice, however many processes work on one sweep at once: a process runs a run
/// only after `claim` — a `FileLock` on `.run.jsonl.<key>.lock` beside the results file, taken
/// without waiting (someone else holds it: that run is theirs) — and after finding, while holding
/// it, no ok record of the run anywhere; it appends the record before it releases the claim. A
/// killed process's claims vanish with it (the kernel drops its locks), so its unfinished run is
/// simply missing and the next sweep runs it.
public struct ResultsLedger: Sendable {
  /// The results file.
  public let results: ResultsFile
  /// Where tasks' part files go: the results path without `.jsonl`, plus `.parts`.
  public let partsDirectory: String
  /// The part file this process appends to (a name in `partsDirectory`); nil: the results file.
  public let part: String?

  /// The ledger of the results file at `resultsPath`; records go to the part file `part` when
  /// given (e.g. `slurm-812_3.jsonl`), else to the results file.
  public init(resultsPath: String, part: String? = nil) {
    results = ResultsFile(path: resultsPath)
    partsDirectory = ResultsLedger.partsDirectory(for: resultsPath)
    self.part = part
  }

  /// `results/run.jsonl` → `results/run.parts`.
  public static func partsDirectory(for resultsPath: String) -> String {
    (resultsPath.hasSuffix(".jsonl") ? String(resultsPath.dropLast(6)) : resultsPath) + ".parts"
  }

  /// A part-file name for this process: `slurm-<array job>_<task>.jsonl` in a Slurm array task,
  /// `slurm-<job>.jsonl` in another Slurm job, else `<host>-<pid>.jsonl`.
  public static func partName(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    let name: String
    if let job = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"] {
      name = "slurm-\(job)_\(task)"
    } else if let job = environment["SLURM_JOB_ID"] {
      name = "slurm-\(job)"
    } else {
      name = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
    let safe = name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }
    return String(safe) + ".jsonl"
  }

  /// The part files present, by name.
  public func partFiles() -> [ResultsFile] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: partsDirectory)) ?? []
    return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { ResultsFile(path: "\(partsDirectory)/\($0)") }
  }

  /// The results file, then every part file.
  public var files: [ResultsFile] { [results] + partFiles() }

  /// Every readable record of every file, with each file's corrupt lines.
  public func read() throws -> [(file: ResultsFile, contents: ResultsFile.Contents)] {
    try files.map { ($0, try $0.read()) }
  }

  /// Whether some file holds an ok record of run `key`.
  public func isDone(_ key: String) throws -> Bool {
    for file in files {
      for line in try file.lines(containing: key) {
        if case .success(let r) = line.parsed, r.key == key, r.status == .ok { return true }
      }
    }
    return false
  }

  // MARK: Claims

  /// The right to run one run, held until `release`.
  public final class Claim {
    private let lock: FileLock
    /// The run's key.
    public let key: String

    init(lock: FileLock, key: String) {
      self.lock = lock
      self.key = key
    }

    /// Gives the run up (after its record is appended, or when it did not run).
    public func release() { lock.release(removing: true) }

    deinit { lock.release(removing: true) }
  }

  /// The lock file of run `key`: hidden, beside the results file.
  public func claimPath(_ key: String) -> String {
    let url = URL(fileURLWithPath: results.path)
    return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(key).lock").path
  }

  /// Claims run `key`; nil when another process holds it (it is running there).
  public func claim(_ key: String) throws -> Claim? {
    try ensureFolder((results.path as NSString).deletingLastPathComponent)
    return try FileLock.acquire(claimPath(key), wait: false).map { Claim(lock: $0, key: key) }
  }

  /// Whether a live process holds the claim of run `key`.
  public func isRunning(_ key: String) -> Bool { FileLock.isHeld(claimPath(key)) }

  /// Appends `record` to this process's part file, or to the results file.
  public func append(_ record: RunRecord) throws {
    if let part {
      try ensureFolder(partsDirectory)
      try ResultsFile(path: "\(partsDirectory)/\(part)").append(record)
    } else {
      try results.append(record)
    }
  }

  private func ensureFolder(_ dir: String) throws {
    guard !dir.isEmpty else { return }
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw ExperimentError.io(path: dir, message: "cannot create the folder: \(FileError.describe(error))")
    }
  }

  // MARK: Merging

  /// What `merge` did.
  public struct MergeOutcome: Sendable, Equatable {
    /// Records appended to the results file.
    public var merged = 0
    /// Part records the results file already held, line for line (left by a merge that was
    /// stopped after appending and before removing the parts).
    public var alreadyPresent = 0
    /// Part files folded in (and removed).
    public var parts: [String] = []
    /// Corrupt part lines (a task killed mid-write), left out: "file line N: reason".
    public var corrupt: [String] = []
  }

  /// Folds every part file into the results file and removes the parts. Refuses — changing
  /// nothing — when a run would be recorded ok twice with different contents (two processes ran
  /// it); a line already in the results file is not appended again. Holds the results file's
  /// lock and each part's, so appends by running tasks wait and are never lost.
  @discardableResult
  public func merge() throws -> MergeOutcome {
    let parts = partFiles()
    var outcome = MergeOutcome()
    guard !parts.isEmpty else { return outcome }
    try ensureFolder((results.path as NSString).deletingLastPathComponent)
    guard let main = try FileLock.acquire(results.path, wait: true, append: true) else { return outcome }
    defer { main.release() }
    var partLocks: [FileLock] = []
    defer { for l in partLocks { l.release() } }
    for p in parts {
      if let l = try FileLock.acquire(p.path, wait: true) { partLocks.append(l) }
    }
    var present = Set<String>()
    var okLine: [String: (text: String, file: String)] = [:]
    for line in try results.lines() {
      present.insert(line.text)
      if case .success(let r) = line.parsed, r.status == .ok { okLine[r.key] = (line.text, results.path) }
    }
    var added: [String] = []
    var conflicts: [String] = []
    for p in parts {
      for line in try p.lines() {
        guard case .success(let r) = line.parsed else {
          if case .failure(let c) = line.parsed { outcome.corrupt.append("\(p.path) \(c)") }
          continue
        }
        if present.contains(line.text) {
          outcome.alreadyPresent += 1
          continue
        }
        if r.status == .ok, let other = okLine[r.key], other.text != line.text {
          conflicts.append(
            "run \(r.key) (\(r.identity.method.name), seed \(r.identity.seed)) is recorded ok in both "
              + "\(other.file) and \(p.path)")
          continue
        }
        present.insert(line.text)
        if r.status == .ok { okLine[r.key] = (line.text, p.path) }
        added.append(line.text)
      }
    }
    if !conflicts.isEmpty {
      throw ExperimentError.duplicateRecords(conflicts)
    }
    try results.appendLines(added, locked: main)
    outcome.merged = added.count
    for l in partLocks { l.release(removing: true) }
    partLocks = []
    outcome.parts = parts.map(\.path)
    // The (now empty) parts folder stays: a running task may append a new part at any moment.
    return outcome
  }
}
