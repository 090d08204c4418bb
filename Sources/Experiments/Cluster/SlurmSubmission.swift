import Core
import Foundation

/// A sweep submitted to Slurm as two job arrays (`lethe submit --slurm`):
///
/// 1. **models**: each task trains its share of the M0s and M_retrains that the pending runs
///    need (`lethe run --stage models --models ID,...`), each model exactly once;
/// 2. **runs**: each task runs its share of the pending runs (`lethe run --runs ID,...`),
///    starting only once every task of the first array succeeded (`--dependency=afterok`).
///
/// Pending runs are those neither recorded ok nor running (`SweepStatus.pending`), so submitting
/// again after a failure or a killed task runs only what is missing. Shares are balanced by
/// expected cost (`CostModel`, `Shards`) and written down — one line of identifiers per task in
/// `models.txt` and `runs.txt` beside the sbatch scripts — so every task knows its share however
/// the sweep moves on meanwhile. Tasks record into part files of their own
/// (`ResultsLedger.partName`), merged by `lethe merge` or by the next whole run of the schedule.
public struct SlurmSubmission: Sendable {
  /// One job array.
  public struct JobArray: Sendable, Equatable {
    /// Models or runs.
    public var stage: SweepSelection.Stage
    /// The identifiers of each task (task k is line k of `listPath`).
    public var tasks: [[String]]
    /// The sbatch script.
    public var scriptPath: String
    /// The identifiers file.
    public var listPath: String
    /// The time limit asked for.
    public var time: String
    /// The script's text.
    public var script: String
  }

  /// The folder holding the scripts, lists and `logs/`.
  public var folder: String
  /// The model-training array (nil when no pending run needs a model... which never happens
  /// while runs are pending: each run needs its M0 and M_retrain, cached ones are found quickly).
  public var models: JobArray?
  /// The runs array (nil: nothing pending).
  public var runs: JobArray?
  /// Pending runs, over every sweep.
  public var pendingRuns: Int

  /// Lays out the arrays for the runs of `sweeps` whose keys are in `pending` (see
  /// `SweepStatus.pending`): `schedule` run with `arguments` by the `lethe` executable at
  /// `lethe`, from the folder `workingDirectory`. Writes nothing (see `write`).
  public static func make(
    sweeps: [SweepPlan], pending keys: Set<String>, schedule: String, arguments: [String], lethe: String,
    workingDirectory: String, folder: String, options: SlurmOptions
  ) throws -> SlurmSubmission {
    try options.validate()
    var pending: [SweepPlan.Run] = []
    var needed: [SweepPlan.Model] = []
    var seen = Set<String>()
    for sweep in sweeps {
      let models = Dictionary(sweep.models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      for run in sweep.runs where keys.contains(run.key) && seen.insert(run.key).inserted {
        pending.append(run)
        for id in run.models where seen.insert(id).inserted {
          if let m = models[id] { needed.append(m) }
        }
      }
    }
    var submission = SlurmSubmission(folder: folder, models: nil, runs: nil, pendingRuns: pending.count)
    guard !pending.isEmpty else { return submission }
    func array(_ stage: SweepSelection.Stage, ids: [String], costs: [Double], time: String?) -> JobArray {
      let shares = Shards.assign(costs: costs, count: min(ids.count, options.tasks)).filter { !$0.isEmpty }
      let dearest = shares.map { $0.reduce(0) { $0 + costs[$1] } }.max() ?? 0
      let limit = time ?? SlurmOptions.slurmTime(seconds: 2 * dearest / Double(options.cpusPerTask) + 600)
      let name = stage == .models ? "models" : "runs"
      let listPath = "\(folder)/\(name).txt"
      var array = JobArray(
        stage: stage, tasks: shares.map { $0.map { ids[$0] } }, scriptPath: "\(folder)/\(name).sbatch",
        listPath: listPath, time: limit, script: "")
      array.script = script(
        for: array, schedule: schedule, arguments: arguments, lethe: lethe, workingDirectory: workingDirectory,
        folder: folder, options: options)
      return array
    }
    submission.models = array(
      .models, ids: needed.map(\.id), costs: needed.map(\.cost), time: options.modelsTime ?? options.time)
    submission.runs = array(.runs, ids: pending.map(\.key), costs: pending.map(\.cost), time: options.time)
    return submission
  }

  /// The sbatch script of `array`.
  static func script(
    for array: JobArray, schedule: String, arguments: [String], lethe: String, workingDirectory: String,
    folder: String, options: SlurmOptions
  ) -> String {
    let name = array.stage == .models ? "models" : "runs"
    var range = "1-\(array.tasks.count)"
    if let k = options.arrayLimit { range += "%\(k)" }
    var lines = [
      "#!/bin/bash",
      "# Written by `lethe submit`: the \(name) stage of \(schedule),",
      array.stage == .models
        ? "# training the M0s and M_retrains the runs need, each once; task k takes line k of \(name).txt."
        : "# running the methods; task k takes the runs on line k of \(name).txt.",
      "#SBATCH --job-name=\(options.jobName)-\(name)",
      "#SBATCH --array=\(range)",
      "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
      "#SBATCH --time=\(array.time)",
      "#SBATCH --output=\(folder)/logs/\(name)-%A_%a.out",
      "#SBATCH --chdir=\(workingDirectory)",
    ]
    if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
    if let m = options.memory { lines.append("#SBATCH --mem=\(m)") }
    if let a = options.account { lines.append("#SBATCH --account=\(a)") }
    if let q = options.qos { lines.append("#SBATCH --qos=\(q)") }
    lines += options.extra.map { "#SBATCH \($0)" }
    let flag = array.stage == .models ? "--stage models --models" : "--runs"
    let command = [quote(lethe), "run", "--threads", "\"${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}\"", flag,
      "\"$ids\"", quote(schedule)] + arguments.map(quote)
    lines += [
      "set -euo pipefail",
      "ids=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" \(quote(array.listPath)))",
      "if [ -z \"$ids\" ]; then echo \"no line ${SLURM_ARRAY_TASK_ID} in \(array.listPath)\" >&2; exit 1; fi",
      "exec " + command.joined(separator: " "),
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes the scripts, the identifier lists and the `logs/` folder.
  public func write() throws {
    do {
      try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
      for array in [models, runs].compactMap({ $0 }) {
        try array.script.write(toFile: array.scriptPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: array.scriptPath)
        try (array.tasks.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
          .write(toFile: array.listPath, atomically: true, encoding: .utf8)
      }
    } catch {
      throw ExperimentError.io(path: folder, message: "cannot write the job scripts: \(FileError.describe(error))")
    }
  }

  /// Submits the arrays through `sbatch` (given the script and the job the array waits for, it
  /// returns the new job's id): models first, runs after them. Returns the job ids.
  public func submit(sbatch: (_ script: String, _ after: String?) throws -> String) throws
    -> (models: String?, runs: String?)
  {
    var first: String?
    if let models { first = try sbatch(models.scriptPath, nil) }
    let second = try runs.map { try sbatch($0.scriptPath, first) }
    return (first, second)
  }

  /// A shell word holding `text` as is.
  static func quote(_ text: String) -> String {
    if !text.isEmpty && text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@".contains($0)) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
