import Foundation
import TestSupport
import XCTest

@testable import Host

/// A Lua state whose `print` output is captured.
final class CapturedVM {
  let vm: LuaVM
  private(set) var output = ""

  init() throws {
    let context = LuaContext(seed: 0)
    vm = try LuaVM(scriptName: "test", context: context)
    context.write = { [unowned self] in self.output += $0 }
  }

  /// Runs `source`; returns the error message, or nil when it succeeded.
  func error(of source: String) -> String? {
    do {
      try vm.run(source, name: "=test")
      return nil
    } catch {
      return "\(error)"
    }
  }

  /// The first line of the error of `source` (without the traceback).
  func errorLine(of source: String) -> String? {
    error(of: source).map { String($0.split(separator: "\n").first ?? "") }
  }
}

/// The repository root (for scripts and docs).
let repositoryRoot = TestFixtures.repositoryRoot

/// Runs `lethe` with `arguments`, `input` on standard input, in `directory`, with `environment`
/// (default: this process's); returns (exit code, or 128 + signal; standard output; standard
/// error). Input is written and standard error read on threads of their own, so that neither
/// side blocks on a full pipe.
func runLethe(
  _ lethe: URL, _ arguments: [String], input: String = "", environment: [String: String]? = nil,
  directory: String? = nil
) throws -> (Int32, String, String) {
  let process = Process()
  process.executableURL = lethe
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  if let environment { process.environment = environment }
  let stdin = Pipe()
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  let bytes = Data(input.utf8)
  Thread {
    stdin.fileHandleForWriting.write(bytes)
    try? stdin.fileHandleForWriting.close()
  }.start()
  let errors = ReadToEnd(stderr.fileHandleForReading)
  let out = stdout.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let err = errors.wait()
  let code = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
  return (code, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// Reads a file handle to its end on a thread of its own.
final class ReadToEnd: @unchecked Sendable {
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread {
      self.data = handle.readDataToEndOfFile()
      self.done.signal()
    }.start()
  }

  /// Everything read, once the other side has closed.
  func wait() -> Data {
    done.wait()
    return data
  }
}

/// A REPL in this process reading `transcript` from a pipe; returns (output, errors).
func replSession(_ transcript: String) throws -> (String, String) {
  let pipe = Pipe()
  pipe.fileHandleForWriting.write(Data(transcript.utf8))
  try pipe.fileHandleForWriting.close()
  let context = LuaContext()
  var output = ""
  var errors = ""
  context.write = { output += $0 }
  let vm = try LuaVM(scriptName: "lethe", context: context)
  defer { vm.close() }
  Repl(vm: vm, reader: PlainLineReader(handle: pipe.fileHandleForReading)) { errors += $0 }.run()
  return (output, errors)
}
