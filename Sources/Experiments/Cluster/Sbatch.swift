import Core
import Foundation

/// Slurm's `sbatch`, run as a child process.
public enum Sbatch {
  /// Submits `script` (after job `after` succeeds, when given; a job whose dependency can no
  /// longer succeed is cancelled rather than left pending) and returns the job id.
  public static func submit(_ script: String, after: String? = nil) throws -> String {
    var arguments = ["sbatch", "--parsable"]
    if let after { arguments += ["--dependency=afterok:\(after)", "--kill-on-invalid-dep=yes"] }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments + [script]
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do {
      try p.run()
    } catch {
      throw ExperimentError.io(path: script, message: "cannot start sbatch: \(FileError.describe(error))")
    }
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    // --parsable prints "jobid" or "jobid;cluster".
    let id = output.split(whereSeparator: { $0 == "\n" || $0 == ";" }).first.map(String.init) ?? ""
    guard p.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
      let why = errors.trimmingCharacters(in: .whitespacesAndNewlines)
      throw ExperimentError.io(
        path: script,
        message: "sbatch failed (exit \(p.terminationStatus))" + (why.isEmpty ? "" : ": \(why)")
          + (p.terminationStatus == 127 ? " — is Slurm's sbatch on the PATH?" : ""))
    }
    return id
  }
}
