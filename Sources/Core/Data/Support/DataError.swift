/// Everything that can go wrong when finding, reading or splitting data. Every case names the file,
/// dataset or scenario involved, and its description says what is wrong in one sentence.
public enum DataError: Error, CustomStringConvertible, Equatable {
  /// A file exists but its content is not what its format promises (truncated, bad magic, ...).
  case malformed(file: String, problem: String)
  /// A file or folder could not be read.
  case unreadable(file: String, problem: String)
  /// A file or folder could not be written (a cache entry: disk full, no permission, ...).
  case unwritable(file: String, problem: String)
  /// A named dataset is not in any folder of the search path.
  case missing(dataset: String, lookedFor: [String], searched: [String], howToGet: String)
  /// A dataset name nobody knows.
  case unknownDataset(name: String, known: [String])
  /// A forget scenario or split that cannot be built as asked.
  case invalidScenario(scenario: String, problem: String)
  /// An argument outside its range (a fraction, a batch size, an image size, ...).
  case invalidArgument(name: String, problem: String)

  /// One readable line.
  public var description: String {
    switch self {
    case .malformed(let file, let problem): return "\(file): \(problem)"
    case .unreadable(let file, let problem): return "cannot read \(file): \(problem)"
    case .unwritable(let file, let problem): return "cannot write \(file): \(problem)"
    case .missing(let dataset, let lookedFor, let searched, let howToGet):
      return "dataset '\(dataset)' not found: looked for \(lookedFor.joined(separator: ", ")) in "
        + (searched.isEmpty ? "no folder (the search path is empty)" : searched.joined(separator: ", "))
        + ". \(howToGet)"
    case .unknownDataset(let name, let known):
      return "unknown dataset '\(name)'; known: \(known.joined(separator: ", "))"
    case .invalidScenario(let scenario, let problem): return "scenario \(scenario): \(problem)"
    case .invalidArgument(let name, let problem): return "\(name): \(problem)"
    }
  }
}
