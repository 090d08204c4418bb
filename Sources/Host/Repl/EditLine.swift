@preconcurrency import CEdit
import CLua
import Foundation

/// Reads lines through libedit: line editing, a history file, and tab completion.
///
/// libedit's readline interface is process-global, so one `EditLineReader` exists at a time;
/// `completer` is the global that its C completion callback consults.
public final class EditLineReader: LineReader {
  /// The history file (`~/.lethe_history`).
  public let historyPath: String
  /// Completion candidates for a word: set by the REPL, read from libedit's callback.
  /// `nonisolated(unsafe)` (with the two below): libedit calls back on the thread that called
  /// `readline`, the REPL's only thread, so these are never touched concurrently.
  nonisolated(unsafe) static var completer: ((String) -> [String])?
  nonisolated(unsafe) private static var candidates: [String] = []
  nonisolated(unsafe) private static var next = 0

  /// A reader keeping at most 1000 statements in `historyPath`.
  public init(historyPath: String, completer: @escaping (String) -> [String]) {
    self.historyPath = historyPath
    EditLineReader.completer = completer
    rl_readline_name = UnsafePointer(strdup("lethe"))
    rl_completion_append_character = 0
    rl_attempted_completion_function = { text, _, _ in
      guard let text else { return nil }
      return rl_completion_matches(text) { word, state in
        if state == 0 {
          EditLineReader.candidates = word.map { EditLineReader.completer?(String(cString: $0)) ?? [] } ?? []
          EditLineReader.next = 0
        }
        guard EditLineReader.next < EditLineReader.candidates.count else { return nil }
        defer { EditLineReader.next += 1 }
        return strdup(EditLineReader.candidates[EditLineReader.next])
      }
    }
    stifle_history(1000)
    _ = read_history(historyPath)
  }

  private var interrupted = false

  /// The next line (without its newline), or nil at end of input (Ctrl-D) or on Ctrl-C, which
  /// `takeInterrupt` then reports.
  public func readLine(prompt: String) -> String? {
    guard let raw = readline(prompt) else {
      if clua_take_prompt_interrupt() != 0 {
        fputs("\n", stdout)
        interrupted = true
      }
      return nil
    }
    defer { free(raw) }
    return String(cString: raw)
  }

  /// Whether the last nil was Ctrl-C (clears it).
  public func takeInterrupt() -> Bool {
    defer { interrupted = false }
    return interrupted
  }

  /// Adds a complete statement to the history.
  public func remember(_ statement: String) {
    guard !statement.allSatisfy(\.isWhitespace) else { return }
    _ = add_history(statement)
    _ = write_history(historyPath)
  }
}
