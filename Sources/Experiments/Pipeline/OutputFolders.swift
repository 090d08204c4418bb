#if canImport(Glibc)
  import Glibc
#endif
import Core
import Foundation

/// The folders a sweep writes into — the results file's, the model cache, the report's — made
/// and checked for writing before anything trains: a sweep that could not record its first
/// result, or cache its first model, fails at once with the folder and the reason, instead of
/// after hours of training.
enum OutputFolders {
  /// Creates the folders `plan` writes into (the report's only when `report`: a share of a sweep
  /// writes none) and checks that a file can be written in each, and that an existing results
  /// file can be appended to. Throws a `FileError` ("cannot write into the model cache folder
  /// /x: permission denied").
  static func check(_ plan: ExperimentPlan, report: Bool = true) throws {
    let resultsFolder = (plan.resultsPath as NSString).deletingLastPathComponent
    try writable(resultsFolder.isEmpty ? "." : resultsFolder, role: "the results folder")
    if FileManager.default.fileExists(atPath: plan.resultsPath) {
      let fd = open(plan.resultsPath, O_WRONLY | O_APPEND | O_CLOEXEC)
      guard fd >= 0 else { throw FileError(action: "append to", path: plan.resultsPath, errno: errno) }
      close(fd)
    }
    try writable(plan.cacheDirectory, role: "the model cache folder")
    if report, let folder = plan.reportDirectory { try writable(folder, role: "the report folder") }
  }

  /// Creates `folder` if needed and writes, then removes, a probe file in it.
  static func writable(_ folder: String, role: String) throws {
    try FileIO.createFolder(folder)
    let probe = "\(folder)/.lethe-write-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw FileError(action: "write into \(role)", path: folder, errno: errno) }
    defer {
      close(fd)
      unlink(probe)
    }
    let byte: [UInt8] = [0x0a]
    try byte.withUnsafeBytes { try FileIO.writeAll($0, to: fd, path: folder) }
  }
}
