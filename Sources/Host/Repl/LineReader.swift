import CLua
import Foundation

/// Where the REPL reads its lines from.
public protocol LineReader: AnyObject {
  /// The next line without its newline, or nil at end of input (Ctrl-D).
  func readLine(prompt: String) -> String?
  /// Remembers a complete statement in the history (a no-op without line editing).
  func remember(_ statement: String)
  /// Whether the last nil from `readLine` was Ctrl-C rather than the end of input (clears it).
  func takeInterrupt() -> Bool
}

extension LineReader {
  /// Default: a reader that cannot be interrupted.
  public func takeInterrupt() -> Bool { false }
}

/// Reads lines from a file descriptor without editing or prompts (pipes, files, tests).
public final class PlainLineReader: LineReader {
  private let handle: FileHandle
  private var buffer = [UInt8]()
  private var atEnd = false

  /// A reader over `handle` (standard input by default).
  public init(handle: FileHandle = .standardInput) {
    self.handle = handle
  }

  /// The next line (without its newline), or nil at end of input.
  public func readLine(prompt: String) -> String? {
    while true {
      if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<nl], as: UTF8.self)
        buffer.removeSubrange(...nl)
        return line
      }
      if atEnd {
        if buffer.isEmpty { return nil }
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
      }
      let chunk = handle.availableData
      if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
    }
  }

  /// Adds a complete statement to the history.
  public func remember(_ statement: String) {}
}
