import Foundation

/// Where tests find their data: the repository, the small PyTorch fixtures vendored in
/// `Tests/Fixtures/torch`, and the shared folder beside the repository (large fixtures, real
/// datasets). The one fixture locator of every test target.
public enum TestFixtures {
  /// The repository root (found from this file's path at build time).
  public static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// `shared` beside the repository.
  public static let sharedDirectory = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

  /// The real datasets: `$LETHE_SHARED` (as the dataset catalogue reads it), else `shared/datasets`.
  public static var datasetsDirectory: URL {
    if let s = ProcessInfo.processInfo.environment["LETHE_SHARED"], !s.isEmpty {
      return URL(fileURLWithPath: s)
    }
    return sharedDirectory.appendingPathComponent("datasets")
  }

  /// The folders searched for PyTorch fixtures, in order: `$LETHE_FIXTURES`, the vendored
  /// `Tests/Fixtures/torch`, then the shared `fixtures/torch`.
  public static var torchDirectories: [URL] {
    var dirs: [URL] = []
    if let env = ProcessInfo.processInfo.environment["LETHE_FIXTURES"], !env.isEmpty {
      dirs.append(URL(fileURLWithPath: env))
    }
    dirs.append(repositoryRoot.appendingPathComponent("Tests/Fixtures/torch"))
    dirs.append(sharedDirectory.appendingPathComponent("fixtures/torch"))
    return dirs
  }

  /// The PyTorch fixture `name` from the first folder that has it, or nil.
  public static func torch(_ name: String) -> URL? {
    torchDirectories.map { $0.appendingPathComponent(name) }
      .first { FileManager.default.fileExists(atPath: $0.path) }
  }

  /// Why `name` is missing, for a test's skip message.
  public static func missing(_ name: String) -> String {
    "PyTorch fixture \(name) not found in " + torchDirectories.map(\.path).joined(separator: ", ")
      + " (set LETHE_FIXTURES)"
  }
}
