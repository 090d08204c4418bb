import ArgumentParser
import Experiments
import Foundation

/// `lethe submit SCHEDULE.lua --slurm [...]`: writes the two job arrays of the schedule's pending
/// runs (models, then runs after the models succeeded) as sbatch scripts and submits them.
struct SubmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Submit a schedule's pending runs to a cluster: one job array for the models, one for the runs.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var target: ScheduleArguments

  @Flag(name: .long, help: "Submit to Slurm (the one scheduler so far).")
  var slurm = false
  @Option(name: .long, help: "Slurm partition (default: the cluster's default).")
  var partition: String?
  @Option(name: .long, help: "Time limit of each task, e.g. 2:00:00 (default: from the cost model).")
  var time: String?
  @Option(name: .long, help: "Time limit of the model-training tasks, when it differs from --time.")
  var modelsTime: String?
  @Option(name: .long, help: "CPUs per task, also the threads each task computes with (default 4).")
  var cpusPerTask = 4
  @Option(name: .long, help: "Memory per task, e.g. 8G (default: the partition's).")
  var mem: String?
  @Option(name: .long, help: "At most K tasks of an array at once (--array=1-N%K).")
  var arrayLimit: Int?
  @Option(name: .long, help: "At most N tasks per array (default 32): the work is split in N shares or fewer.")
  var tasks = 32
  @Option(name: .long, help: "Slurm account.")
  var account: String?
  @Option(name: .long, help: "Slurm quality of service.")
  var qos: String?
  @Option(name: .customLong("sbatch-option"), help: "One more sbatch option for both arrays (repeatable).")
  var sbatchOptions: [String] = []
  @Option(name: .long, help: "Folder for the scripts and logs (default: <results folder>/slurm/<time stamp>).")
  var out: String?
  @Option(name: .long, help: "The lethe executable the tasks run (default: this one).")
  var lethe: String?
  @Flag(name: .long, help: "Write the scripts, print the sbatch commands, submit nothing.")
  var dryRun = false

  func validate() throws {
    guard slurm else { throw ValidationError("say which scheduler: --slurm (the only one so far)") }
  }

  func run() throws {
    var options = SlurmOptions()
    options.partition = partition
    options.time = time
    options.modelsTime = modelsTime
    options.cpusPerTask = cpusPerTask
    options.memory = mem
    options.arrayLimit = arrayLimit
    options.tasks = tasks
    options.account = account
    options.qos = qos
    options.extra = sbatchOptions
    do {
      try options.validate()
    } catch {
      throw ValidationError("\(error)")
    }
    let sweeps = try ScheduleLoader.plans(target.schedule, arguments: target.scriptArguments, global: global)
    let statuses = try sweeps.map { try SweepStatus.of($0) }
    let cwd = FileManager.default.currentDirectoryPath
    func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(cwd)/\(path)" }
    let stamp = Self.stamp(Date())
    let resultsDir = (sweeps[0].plan.resultsPath as NSString).deletingLastPathComponent
    let folder = absolute(out ?? ((resultsDir.isEmpty ? "." : resultsDir) + "/slurm/\(stamp)"))
    let executable = lethe ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let submission = try SlurmSubmission.make(
      sweeps: sweeps, pending: Set(statuses.flatMap(\.pending)), schedule: absolute(target.schedule), arguments: target.scriptArguments,
      lethe: absolute(executable), workingDirectory: cwd, folder: folder, options: options)
    let done = statuses.reduce(0) { $0 + $1.done.count }
    let running = statuses.reduce(0) { $0 + $1.running.count }
    let total = sweeps.reduce(0) { $0 + $1.runs.count }
    print("\(target.schedule): \(total) runs, \(done) done, \(running) running, \(submission.pendingRuns) to submit")
    guard let runs = submission.runs else {
      print("nothing to submit")
      return
    }
    try submission.write()
    if let m = submission.models {
      print("models: \(m.tasks.reduce(0) { $0 + $1.count }) models in \(m.tasks.count) tasks, time \(m.time): \(m.scriptPath)")
    }
    print("runs: \(submission.pendingRuns) runs in \(runs.tasks.count) tasks, time \(runs.time): \(runs.scriptPath)")
    if dryRun {
      print("dry run, nothing submitted; to submit by hand:")
      if let m = submission.models {
        print("  MODELS_JOB=$(sbatch --parsable \(m.scriptPath))")
        print("  sbatch --dependency=afterok:$MODELS_JOB --kill-on-invalid-dep=yes \(runs.scriptPath)")
      } else {
        print("  sbatch \(runs.scriptPath)")
      }
      return
    }
    let ids = try submission.submit { script, after in try Sbatch.submit(script, after: after) }
    if let m = ids.models { print("submitted models: job \(m)") }
    if let r = ids.runs {
      print("submitted runs: job \(r)" + (ids.models.map { ", starts when job \($0) succeeded" } ?? ""))
    }
    for sweep in sweeps {
      print("results: \(ResultsLedger.partsDirectory(for: sweep.plan.resultsPath))/ (one file per task), "
        + "merged into \(sweep.plan.resultsPath) by `lethe merge \(target.schedule)`")
    }
    print("logs: \(folder)/logs/; progress: lethe status \(target.schedule)")
  }

  /// `20261206-044200` (UTC).
  static func stamp(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd-HHmmss"
    return f.string(from: date)
  }
}
