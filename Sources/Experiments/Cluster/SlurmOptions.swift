/// What the job arrays of a submission ask Slurm for (`lethe submit --slurm` options).
public struct SlurmOptions: Sendable, Equatable {
  /// `--partition` (nil: the cluster's default partition).
  public var partition: String?
  /// `--time` of every task, as Slurm writes it (`30:00`, `4:00:00`, `1-12:00:00`); nil: from
  /// the cost model, twice the dearest task's expected time plus ten minutes.
  public var time: String?
  /// `--time` of the model-training tasks when it differs from `time`.
  public var modelsTime: String?
  /// `--cpus-per-task`, also the thread count each task computes with.
  public var cpusPerTask = 4
  /// `--mem` (nil: the partition's default), e.g. `8G`.
  public var memory: String?
  /// At most this many tasks of one array run at once (`--array=1-N%K`).
  public var arrayLimit: Int?
  /// At most this many tasks per array: the work is split into this many shares or fewer.
  public var tasks = 32
  /// `--account`.
  public var account: String?
  /// `--qos`.
  public var qos: String?
  /// More sbatch options, each written as one `#SBATCH` line (e.g. `--constraint=avx512`).
  public var extra: [String] = []
  /// The jobs' name prefix.
  public var jobName = "lethe"

  /// Defaults.
  public init() {}

  /// Checks the values a user gave.
  public func validate() throws {
    guard cpusPerTask >= 1 else { throw bad("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
    guard tasks >= 1 else { throw bad("--tasks must be at least 1, got \(tasks)") }
    if let k = arrayLimit, k < 1 { throw bad("--array-limit must be at least 1, got \(k)") }
    for (name, value) in [("--time", time), ("--models-time", modelsTime)] {
      if let value, !Self.isSlurmTime(value) {
        throw bad("\(name) '\(value)' is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
      }
    }
    for (name, value) in [("--partition", partition), ("--mem", memory), ("--account", account), ("--qos", qos)] {
      if let value, value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) {
        throw bad("\(name) '\(value)' must be one word")
      }
    }
    for e in extra where !e.hasPrefix("--") || e.contains("\n") {
      throw bad("--sbatch-option '\(e)' must be one sbatch option such as --constraint=avx512")
    }
  }

  /// Whether `text` is one of the time forms sbatch accepts.
  static func isSlurmTime(_ text: String) -> Bool {
    let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard dayParts.count <= 2 else { return false }
    if dayParts.count == 2 && Int(dayParts[0]) == nil { return false }
    guard let last = dayParts.last else { return false }
    let clock = last.split(separator: ":", omittingEmptySubsequences: false)
    return (1...3).contains(clock.count) && clock.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }
  }

  /// A Slurm time for `seconds`, rounded up to the minute: `H:MM:00` or `D-HH:MM:00`.
  static func slurmTime(seconds: Double) -> String {
    let minutes = Int((max(seconds, 60) / 60).rounded(.up))
    let days = minutes / 1440, hours = (minutes % 1440) / 60, rest = minutes % 60
    let clock = String(format: "%02d:%02d:00", hours, rest)
    return days > 0 ? "\(days)-\(clock)" : clock
  }

  private func bad(_ message: String) -> ExperimentError { .invalidSchedule(message) }
}
