/// A reader for POSIX tar archives (ustar, GNU long names, pax `path` records) held in memory.
/// Only regular files are returned; their contents are ranges of the archive's bytes.
public struct TarArchive: Sendable {
  /// One regular file in the archive.
  public struct Entry: Sendable {
    /// The path inside the archive, e.g. `train/cat/0001.jpg`.
    public var path: String
    /// Where its bytes are in `TarArchive.bytes`.
    public var range: Range<Int>
  }

  /// The whole archive.
  public let bytes: [UInt8]
  /// Regular files in archive order.
  public let entries: [Entry]

  /// Parses an uncompressed tar held in `bytes`; `file` names it in errors.
  public init(bytes: [UInt8], file: String) throws {
    var entries: [Entry] = []
    var offset = 0
    var longName: String?
    var ended = false
    while offset + 512 <= bytes.count {
      let header = bytes[offset..<(offset + 512)]
      if header.allSatisfy({ $0 == 0 }) { ended = true; break }
      var sum = 0
      for (i, b) in header.enumerated() { sum += (i >= 148 && i < 156) ? 32 : Int(b) }
      guard let stored = TarArchive.octal(bytes, offset + 148, 8), stored == sum else {
        throw DataError.malformed(file: file, problem: "tar header at byte \(offset) has a bad checksum")
      }
      guard let size = TarArchive.octal(bytes, offset + 124, 12) else {
        throw DataError.malformed(file: file, problem: "tar header at byte \(offset) has an unreadable size")
      }
      let type = bytes[offset + 156]
      let start = offset + 512
      guard start + size <= bytes.count else {
        throw DataError.malformed(
          file: file, problem: "truncated: entry at byte \(offset) needs \(size) bytes, archive ends first")
      }
      var name = TarArchive.string(bytes, offset, 100)
      let magic = TarArchive.string(bytes, offset + 257, 6)
      if magic.hasPrefix("ustar") {
        let prefix = TarArchive.string(bytes, offset + 345, 155)
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      switch type {
      case UInt8(ascii: "L"):  // GNU: the next entry's long name
        longName = TarArchive.string(bytes, start, size)
      case UInt8(ascii: "x"):  // pax extended header: look for path=
        let text = String(decoding: bytes[start..<(start + size)], as: UTF8.self)
        for line in text.split(separator: "\n") {
          if let r = line.range(of: " path=") { longName = String(line[r.upperBound...]) }
        }
      case UInt8(ascii: "0"), 0:
        entries.append(Entry(path: longName ?? name, range: start..<(start + size)))
        longName = nil
      default:
        longName = nil
      }
      offset = start + (size + 511) / 512 * 512
    }
    guard ended else {
      throw DataError.malformed(file: file, problem: "truncated tar: no end-of-archive block after byte \(offset)")
    }
    self.bytes = bytes
    self.entries = entries
  }

  private static func string(_ b: [UInt8], _ at: Int, _ length: Int) -> String {
    var end = at
    while end < at + length && b[end] != 0 { end += 1 }
    return String(decoding: b[at..<end], as: UTF8.self)
  }

  private static func octal(_ b: [UInt8], _ at: Int, _ length: Int) -> Int? {
    if b[at] & 0x80 != 0 {  // GNU base-256 for large sizes
      var v = 0
      for i in 1..<length { v = v << 8 | Int(b[at + i]) }
      return v
    }
    var v = 0
    var seen = false
    for i in 0..<length {
      let c = b[at + i]
      if c == 0 || c == 32 { if seen { break } else { continue } }
      guard c >= 48 && c <= 55 else { return nil }
      v = v * 8 + Int(c - 48)
      seen = true
    }
    return v
  }
}
