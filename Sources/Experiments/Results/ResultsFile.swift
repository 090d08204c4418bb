#if canImport(Glibc)
  import Glibc
#endif
import Core
import Foundation

/// A JSON Lines results file: one `RunRecord` per line, appended as runs finish.
///
/// Each record is written with a single `write(2)` on a descriptor opened with `O_APPEND` and
/// then `fsync`ed, so a process killed at any moment leaves every earlier record intact; at
/// worst the last line is torn, and the next append starts on a fresh line. Appends hold the
/// file's lock (a `FileLock` on the file itself), so writers on several machines sharing the file
/// over NFS — where `O_APPEND` alone is not atomic — never interleave, and a merge (which holds
/// the same lock) never loses a record appended meanwhile.
public struct ResultsFile: Sendable {
  /// A line that could not be read as a record.
  public struct CorruptLine: Error, Sendable, Equatable, CustomStringConvertible {
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
    guard let data = try bytes(mustExist: mustExist) else { return Contents(records: [], corrupt: []) }
    var records: [RunRecord] = []
    var corrupt: [CorruptLine] = []
    for line in parse(data) {
      switch line.parsed {
      case .success(let r): records.append(r)
      case .failure(let c): corrupt.append(c)
      }
    }
    if records.isEmpty && (data.contains(0) || String(validating: data, as: UTF8.self) == nil) {
      throw ExperimentError.io(path: path, message: "not a results file (binary data, not JSON Lines)")
    }
    return Contents(records: records, corrupt: corrupt)
  }

  /// One non-blank line of the file: its text and what it parsed to.
  struct Line {
    var text: String
    var parsed: Result<RunRecord, CorruptLine>
  }

  /// Every non-blank line, parsed; only lines containing `filter` when given (a cheap scan for
  /// one run's key). A missing file has none.
  func lines(containing filter: String? = nil) throws -> [Line] {
    guard let data = try bytes(mustExist: false) else { return [] }
    return parse(data, containing: filter)
  }

  /// The file's bytes; nil when it does not exist and need not. Errors say why plainly
  /// ("cannot read x: is a folder").
  private func bytes(mustExist: Bool) throws -> [UInt8]? {
    guard mustExist || FileManager.default.fileExists(atPath: path) else { return nil }
    return try FileIO.read(path)
  }

  private func parse(_ data: [UInt8], containing filter: String? = nil) -> [Line] {
    var out: [Line] = []
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for (i, line) in lines.enumerated() {
      if line.allSatisfy({ $0.isWhitespace }) { continue }
      if let filter, !line.contains(filter) { continue }
      let text = String(line)
      do {
        out.append(Line(text: text, parsed: .success(try RunRecord.parse(text))))
      } catch {
        out.append(Line(text: text, parsed: .failure(CorruptLine(lineNumber: i + 1, reason: ResultsFile.reason(error)))))
      }
    }
    return out
  }

  /// Appends one record as a line and flushes it to disk.
  public func append(_ record: RunRecord) throws {
    try appendLines([try record.jsonLine()])
  }

  /// Appends `lines` (each without its newline) with one write, holding the file's lock.
  func appendLines(_ lines: [String]) throws {
    guard let lock = try FileLock.acquire(path, wait: true, append: true) else { return }
    defer { lock.release() }
    try appendLines(lines, locked: lock)
  }

  /// Appends `lines` through `lock`, the file's held lock.
  func appendLines(_ lines: [String], locked lock: FileLock) throws {
    guard !lines.isEmpty else { return }
    let fd = lock.descriptor
    var text = lines.joined(separator: "\n") + "\n"
    // A torn last line (a killed writer) must not swallow this record.
    let end = lseek(fd, 0, SEEK_END)
    if end > 0 {
      var last: UInt8 = 0
      if pread(fd, &last, 1, end - 1) == 1 && last != UInt8(ascii: "\n") { text = "\n" + text }
    }
    let bytes = Array(text.utf8)
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
