import ArgumentParser
import struct Core.MemoryLimit

/// Checks of the command line that ArgumentParser does not make the way Lethe's contract needs
/// (docs/cli.md): numbers whose errors say what is wrong, and commands that do not exist.
enum CommandLineChecks {
  /// The commands `lethe` has, for `lethe help COMMAND`.
  static var commands: [String] {
    LetheCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
  }

  /// A usage error ArgumentParser would not report (exit code 2), or nil:
  /// - `lethe` alone names no command;
  /// - `lethe help frobnicate` asks for help on a command that does not exist (ArgumentParser
  ///   prints the general help and succeeds), or on several;
  /// - `LETHE_MAX_MEMORY` that is not a size.
  static func usageError(in arguments: [String]) -> String? {
    let known = commands.joined(separator: ", ")
    if arguments.isEmpty {
      return "lethe: no command given; commands: \(known) (lethe help COMMAND for one's usage)"
    }
    if arguments[0] == "help", arguments.count > 1 {
      guard commands.contains(arguments[1]) else { return "lethe: no command '\(arguments[1])'; commands: \(known)" }
      guard arguments.count == 2 else { return "lethe: help takes one command name, got \(arguments.count - 1)" }
    }
    do {
      _ = try MemoryLimit.configured()
    } catch {
      return "lethe: \(error)"
    }
    return nil
  }

  /// Reads an option's value as a whole number in `range`, with a message naming the option and
  /// the range (`The value '-1' is invalid for '--seed <seed>': --seed takes a whole number from
  /// 0 to …`).
  static func wholeNumber<T: FixedWidthInteger & Sendable>(_ option: String, in range: ClosedRange<T>)
    -> @Sendable (String) throws -> T
  {
    { text in
      let wanted = range.upperBound == Int.max
        ? "a whole number ≥ \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
      // ArgumentParser prefixes "The value '-1' is invalid for '--seed <seed>': ".
      guard let value = T(text), range.contains(value) else { throw ValidationError("\(option) takes \(wanted)") }
      return value
    }
  }
}
