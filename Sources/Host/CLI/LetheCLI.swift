import ArgumentParser
import CLua
import Foundation
import enum Core.Runtime
import struct Core.FileError

/// The `lethe` command line. `Sources/lethe/main.swift` calls `LetheCLI.main()`.
public enum LetheCLI {
  /// Parses the process arguments, runs the command and exits: 0 on success, 1 when a script
  /// fails, 2 on a usage error. Tunes the allocator first (`Runtime.tuneAllocator`).
  public static func main(_ arguments: [String]? = nil) -> Never {
    Runtime.tuneAllocator()
    let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
    if let usage = CommandLineChecks.usageError(in: arguments) {
      printError(usage)
      exit(2)
    }
    do {
      var command = try LetheCommand.parseAsRoot(arguments)
      try command.run()
      exit(0)
    } catch let failure as ScriptFailure {
      if !failure.message.isEmpty { printError(failure.message) }
      exit(1)
    } catch {
      let code = LetheCommand.exitCode(for: error)
      if code == .success {
        print(LetheCommand.fullMessage(for: error))
        exit(0)
      }
      // ArgumentParser reports usage errors as EX_USAGE (64); Lethe's contract says 2. Any other
      // error is a command that failed (a missing or unreadable file, nothing to report): 1.
      if code == .validationFailure {
        printError(LetheCommand.fullMessage(for: error))
        exit(2)
      }
      printError("lethe: \(FileError.describe(error))")
      exit(1)
    }
  }

  static func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
  }
}

/// A script that failed: the message (with traceback) goes to standard error, the exit code is 1.
struct ScriptFailure: Error {
  let message: String
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
  // `.unconditional`: `--seed -1` reaches the check below, which says what is wrong, instead of
  // ArgumentParser's "Missing value" for a value that looks like an option.
  @Option(
    name: .long, parsing: .unconditional, help: "Threads for the tensor kernels (default: all cores).",
    transform: CommandLineChecks.wholeNumber("--threads", in: 1...Int.max))
  var threads: Int?

  @Option(
    name: .long, parsing: .unconditional, help: "Seed of the random generator scripts start with (default 0).",
    transform: CommandLineChecks.wholeNumber("--seed", in: 0...UInt64.max))
  var seed: UInt64?

  @Flag(name: .long, help: "No progress output.")
  var quiet = false

  @Option(name: .long, help: "A Lua method script or folder of them to load (repeatable), before $LETHE_METHODS.")
  var methods: [String] = []

  /// Applies the process-wide settings: `--threads`, `--methods`.
  func applySettings() {
    MethodsPath.explicit = methods
    if let t = threads { Runtime.threads = t }
  }

  /// A context configured from these options (and applies `--threads`, `--methods`).
  func makeContext() -> LuaContext {
    applySettings()
    let context = LuaContext(seed: seed ?? 0)
    context.quiet = quiet
    return context
  }
}

/// `lethe`: the root command.
struct LetheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lethe",
    abstract: "Lethe: a machine-unlearning workbench with an embedded Lua 5.4.",
    version: "lethe \(BaseLibrary.version) (\(String(cString: CLUA_RELEASE)))",
    subcommands: [RunCommand.self, ReplCommand.self, TryCommand.self, DataCommand.self, MethodsCommand.self,
      ReportCommand.self, PlanCommand.self, StatusCommand.self, SubmitCommand.self, MergeCommand.self, SurveyCommand.self,
      VersionCommand.self])
}

/// `lethe run FILE.lua [args...]`.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a Lua script; it sees its arguments in `arg`.")

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The Lua script.")
  var file: String

  @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script as arg[1], arg[2], ...")
  var arguments: [String] = []

  @OptionGroup var share: ShareOptions

  func run() throws {
    var share = self.share
    var arguments = self.arguments
    try share.absorb(&arguments)
    let context = global.makeContext()
    context.sweep.selection = try share.selection()
    try ScheduleLoader.runScript(file, arguments: arguments, context: context)
    try ShareOptions.check(context.sweep, file: file)
  }
}

/// `lethe repl`.
struct ReplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Interactive Lua with `lethe` loaded (line editing, history, completion, Ctrl-C).")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let vm = try LuaVM(scriptName: "lethe", context: global.makeContext())
    defer { vm.close() }
    let interactive = clua_isatty(0) != 0
    var repl: Repl!
    let reader: LineReader
    if interactive {
      clua_ignore_sigint()
      let history = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.lethe_history"
      reader = EditLineReader(historyPath: history) { word in repl?.complete(word) ?? [] }
      if !global.quiet {
        let lua = String(cString: CLUA_RELEASE)
        print("Lethe \(BaseLibrary.version) on \(lua) — lethe.help() for help, Ctrl-D to leave")
      }
    } else {
      reader = PlainLineReader()
    }
    repl = Repl(vm: vm, reader: reader)
    repl.run()
    if interactive { print() }
  }
}

/// `lethe version`.
struct VersionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Lethe's version.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    print("lethe \(BaseLibrary.version) (\(String(cString: CLUA_RELEASE)))")
  }
}
