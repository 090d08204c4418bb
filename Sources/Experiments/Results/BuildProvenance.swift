import Core
import Foundation

/// What built the Lethe that produced a record: the source commit (when the sources are a git
/// checkout), whether they had uncommitted changes, the GEMM backend, the compiler and the build
/// configuration. Two records with the same provenance and run key hold the same numbers (timings
/// aside).
public struct BuildProvenance: Sendable, Equatable, Codable {
  /// `git rev-parse HEAD` of the sources this binary was built from; nil when they are not a
  /// git checkout (or git is missing).
  public var gitCommit: String?
  /// Whether tracked files differed from that commit when the run was recorded.
  public var gitDirty: Bool?
  /// The GEMM backend (`swift`, `blas`).
  public var gemm: String
  /// The compiler (`swiftc 6.3`).
  public var compiler: String
  /// `debug` or `release`.
  public var configuration: String

  /// This process's provenance (git is asked once per process).
  public static var current: BuildProvenance {
    BuildProvenance(
      gitCommit: git.commit, gitDirty: git.dirty, gemm: BuildEnvironment.gemmBackend,
      compiler: BuildEnvironment.compiler, configuration: BuildEnvironment.configuration)
  }

  private static let git: (commit: String?, dirty: Bool?) = {
    // The sources this file was compiled from: Sources/Experiments/Results → the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: root + "/.git"),
      let head = run(["-C", root, "rev-parse", "HEAD"]), head.count == 40
    else { return (nil, nil) }
    let status = run(["-C", root, "status", "--porcelain", "--untracked-files=no"])
    return (head, status.map { !$0.isEmpty })
  }()

  /// `git ARGS`'s trimmed output, or nil when git is missing or fails.
  private static func run(_ arguments: [String]) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git"] + arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  enum CodingKeys: String, CodingKey {
    case gitCommit = "git_commit"
    case gitDirty = "git_dirty"
    case gemm, compiler, configuration
  }
}
