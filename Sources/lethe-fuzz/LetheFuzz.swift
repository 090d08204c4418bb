import ArgumentParser
import Foundation
import Fuzzing

// Two drivers over the same targets (Sources/Fuzzing):
// - built normally, this program is Lethe's own mutation driver (`lethe-fuzz run`), which
//   `make test` runs for a short pass;
// - built with `swift build -c release --sanitize=fuzzer -Xswiftc -DLETHE_LIBFUZZER` (`make fuzz`),
//   there is no Swift entry point: libFuzzer's main runs and calls `LLVMFuzzerTestOneInput` below
//   for the target named by $LETHE_FUZZ_TARGET.

nonisolated(unsafe) var libFuzzerTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
  let name = ProcessInfo.processInfo.environment["LETHE_FUZZ_TARGET"] ?? ""
  guard let target = FuzzTargets.named(name) else {
    let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
    FileHandle.standardError.write(Data("lethe-fuzz: set LETHE_FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
  }
  libFuzzerTarget = target
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  guard let target = libFuzzerTarget else { return 0 }
  if let problem = target.run(Array(UnsafeBufferPointer(start: data, count: size))) {
    fatalError("\(target.name): \(problem)")
  }
  return 0
}

struct LetheFuzz: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lethe-fuzz", abstract: "Fuzz Lethe's file parsers (docs/fuzzing.md).",
    subcommands: [Run.self, Replay.self, List.self], defaultSubcommand: Run.self)
}

/// The seed corpus: `Tests/Fuzz/corpus/<target>/`, found from the working directory or this file.
func defaultCorpus() -> String {
  let relative = "Tests/Fuzz/corpus"
  if FileManager.default.fileExists(atPath: relative) { return relative }
  let root = ((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
  return ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
}

func files(in folder: String) -> [String] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
  return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
}

func targets(_ names: [String]) throws -> [FuzzTarget] {
  if names.isEmpty { return FuzzTargets.all }
  return try names.map { name in
    guard let t = FuzzTargets.named(name) else {
      throw ValidationError(
        "unknown target '\(name)' (valid: \(FuzzTargets.all.map(\.name).joined(separator: ", ")))")
    }
    return t
  }
}

extension LetheFuzz {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run the mutation driver on targets (all by default), each in a child process.")

    @Option(name: .customLong("target"), help: "A target to fuzz (repeatable); all when omitted.")
    var names: [String] = []
    @Option(help: "Executions per target.") var runs = Int.max
    @Option(help: "Seconds per target.") var seconds = 5.0
    @Option(help: "The driver's random seed.") var seed: UInt64 = 1
    @Option(help: "Per-input time limit, seconds.") var timeout = 10.0
    @Option(help: "Address-space limit, MiB (0: none).") var memoryMB = 4096
    @Option(help: "Seed corpus folder (one subfolder per target).") var corpus = defaultCorpus()
    @Option(help: "Where crashing inputs are written.") var artifacts = "."
    @Flag(help: "Run in this process (used for the child processes).") var inProcess = false

    func run() throws {
      let chosen = try targets(names)
      if inProcess {
        guard chosen.count == 1 else { throw ValidationError("--in-process takes one --target") }
        let target = chosen[0]
        CrashGuard.install(folder: artifacts, target: target.name, timeout: timeout, memoryMB: memoryMB)
        let seeds = files(in: corpus + "/" + target.name).compactMap { FileManager.default.contents(atPath: $0) }
        let report = MutationDriver(target: target, seeds: seeds.map { [UInt8]($0) })
          .run(executions: runs, seconds: seconds, seed: seed)
        let name = report.target.padding(toLength: 14, withPad: " ", startingAt: 0)
        print(name + String(format: " %12d executions  %7.1f s  %9.0f exec/s  (%d seeds)",
          report.executions, report.seconds, report.rate, seeds.count))
        return
      }
      // Each target in its own process, so one target's crash or memory limit spares the others.
      var failed: [String] = []
      for target in chosen {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.fileExists(atPath: child.executableURL!.path) {
          child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        child.arguments = [
          "run", "--in-process", "--target", target.name, "--runs", "\(runs)", "--seconds", "\(seconds)",
          "--seed", "\(seed)", "--timeout", "\(timeout)", "--memory-mb", "\(memoryMB)",
          "--corpus", corpus, "--artifacts", artifacts,
        ]
        try child.run()
        child.waitUntilExit()
        if child.terminationStatus != 0 || child.terminationReason != .exit { failed.append(target.name) }
      }
      if !failed.isEmpty {
        throw ValidationError("findings in: \(failed.joined(separator: ", ")) (inputs saved in \(artifacts))")
      }
    }
  }

  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run files through a target once each.")
    @Option(name: .customLong("target")) var name: String
    @Argument(help: "Input files.") var inputs: [String]

    func run() throws {
      let target = try targets([name])[0]
      for path in inputs {
        guard let data = FileManager.default.contents(atPath: path) else {
          throw ValidationError("cannot read \(path)")
        }
        print("\(path): \(target.outcome([UInt8](data)))")
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the targets.")
    func run() {
      for t in FuzzTargets.all { print("\(t.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(t.summary)") }
    }
  }
}

#if !LETHE_LIBFUZZER
  @main
  enum Entry {
    static func main() { LetheFuzz.main() }
  }
#endif
