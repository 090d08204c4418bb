#if canImport(Glibc)
  import Glibc
#endif
import Core
import Foundation

/// A JSON Lines results file: one `RunRecord` per line, appended as runs finish.
///
/// Each record is written with a single `write(2)` on a descriptor opened with `O_APPEND` and
/// then `fsync`ed, so a process killed at any moment leaves every earlier record intact; at
/// worst the last line is torn, and the next append starts on a fresh line.
public struct ResultsFile: Sendable {
  /// A line that could not be read as a record.
  public struct CorruptLine: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number.
    public var lineNumber: Int
    /// Why it was rejected.
    public var reason: String

    /// "line N: reason".
    public var description: String { "line \(lineNumber): \(reason)" }
  }

  /// The contents of a results file.
  public struct Contents: Sendable {
    /// Every readable record, in file order.
    public var records: [RunRecord]
    /// Every line that was not a record (blank lines are ignored, not reported).
    public var corrupt: [CorruptLine]
  }

  /// The file's path.
  public let path: String

  /// A results file at `path` (it need not exist yet).
  public init(path: String) {
    self.path = path
  }

  /// Reads every record; corrupt lines are collected with their line numbers, never dropped
  /// silently. A missing file reads as empty unless `mustExist` (a file to analyse rather than
  /// one a sweep is about to start). A folder, an unreadable file, or binary data without a
  /// single record (a checkpoint given by mistake: appending to it would damage it) is an error
  /// saying so; a results file whose tail a crash filled with NUL bytes still reads.
  public func read(mustExist: Bool = false) throws -> Contents {
    guard mustExist || FileManager.default.fileExists(atPath: path) else {
      return Contents(records: [], corrupt: [])
    }
    let data = try FileIO.read(path)
    var records: [RunRecord] = []
    var corrupt: [CorruptLine] = []
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for (i, line) in lines.enumerated() {
      if line.allSatisfy({ $0.isWhitespace }) { continue }
      do {
        records.append(try RunRecord.parse(String(line)))
      } catch {
        corrupt.append(CorruptLine(lineNumber: i + 1, reason: ResultsFile.reason(error)))
      }
    }
    if records.isEmpty && (data.contains(0) || String(validating: data, as: UTF8.self) == nil) {
      throw ExperimentError.io(path: path, message: "not a results file (binary data, not JSON Lines)")
    }
    return Contents(records: records, corrupt: corrupt)
  }

  /// Appends one record as a line and flushes it to disk.
  public func append(_ record: RunRecord) throws {
    var line = try record.jsonLine() + "\n"
    let fd = open(path, O_RDWR | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else { throw FileError(action: "append to", path: path, errno: errno) }
    defer { close(fd) }
    // A torn last line (a killed writer) must not swallow this record.
    let end = lseek(fd, 0, SEEK_END)
    if end > 0 {
      var last: UInt8 = 0
      if pread(fd, &last, 1, end - 1) == 1 && last != UInt8(ascii: "\n") { line = "\n" + line }
    }
    let bytes = Array(line.utf8)
    // A full disk says so ("no space left on the device"), not "short write".
    try bytes.withUnsafeBytes { try FileIO.writeAll($0, to: fd, path: path) }
    fsync(fd)
  }

  private static func reason(_ error: Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
    case DecodingError.keyNotFound(let k, _): return "missing field '\(k.stringValue)'"
    case DecodingError.typeMismatch(_, let c):
      return "wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.valueNotFound(_, let c):
      return "missing value at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
    default: return "\(error)"
    }
  }
}
