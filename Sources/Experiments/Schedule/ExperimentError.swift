/// Errors of schedules, the runner, results files and reports.
public enum ExperimentError: Error, CustomStringConvertible, Equatable {
  /// A file could not be read or written.
  case io(path: String, message: String)
  /// A schedule that cannot run (an empty axis, an unknown name, a bad value).
  case invalidSchedule(String)
  /// A name not known to the registry of its kind; `valid` lists the known ones.
  case unknownName(kind: String, name: String, valid: [String])
  /// Results that would record one run twice (a merge refuses them); one line per run.
  case duplicateRecords([String])

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .io(let path, let message): return "\(path): \(message)"
    case .invalidSchedule(let message): return "invalid schedule: \(message)"
    case .unknownName(let kind, let name, let valid):
      return "unknown \(kind) '\(name)'; valid \(kind)s: \(valid.joined(separator: ", "))"
    case .duplicateRecords(let lines):
      return "refusing to merge: \(lines.count) run(s) would be recorded twice (nothing was changed; remove "
        + "one of each pair of lines, then merge again):\n  " + lines.joined(separator: "\n  ")
    }
  }
}
