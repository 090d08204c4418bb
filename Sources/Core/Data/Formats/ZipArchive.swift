import CZlib

/// A reader for zip archives held in memory (what NumPy's `.npz` is): the central directory,
/// zip64 records, stored and deflated entries, CRC-32 checked.
public struct ZipArchive: Sendable {
  /// One member of the archive, as its central directory records it.
  public struct Entry: Sendable {
    public var name: String
    var method: Int
    var crc: UInt32
    var compressedSize: Int
    var size: Int
    var localHeaderOffset: Int
  }

  /// The archive's bytes.
  public let bytes: [UInt8]
  /// The members in central-directory order.
  public let entries: [Entry]
  /// The file name used in errors.
  public let file: String

  /// Reads the central directory of the zip archive in `bytes`.
  public init(bytes: [UInt8], file: String) throws {
    self.bytes = bytes
    self.file = file
    func bad(_ problem: String) -> DataError { .malformed(file: file, problem: problem) }
    guard bytes.count >= 22 else { throw bad("not a zip archive (\(bytes.count) bytes)") }
    var eocd = -1
    var p = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65_535)
    while p >= lowest {
      if bytes.littleEndian(at: p, width: 4) == 0x0605_4b50 { eocd = p; break }
      p -= 1
    }
    guard eocd >= 0 else { throw bad("not a zip archive (no end-of-central-directory record; truncated?)") }
    var count = Int(bytes.littleEndian(at: eocd + 10, width: 2))
    var cdSize = Int(bytes.littleEndian(at: eocd + 12, width: 4))
    var cdOffset = Int(bytes.littleEndian(at: eocd + 16, width: 4))
    if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
      let locator = eocd - 20
      guard locator >= 0, bytes.littleEndian(at: locator, width: 4) == 0x0706_4b50 else {
        throw bad("zip64 sizes without a zip64 end-of-central-directory locator")
      }
      let z = Int(bytes.littleEndian(at: locator + 8, width: 8))
      guard z >= 0, z + 56 <= bytes.count, bytes.littleEndian(at: z, width: 4) == 0x0606_4b50 else {
        throw bad("zip64 end-of-central-directory record missing or truncated")
      }
      count = Int(bytes.littleEndian(at: z + 32, width: 8))
      cdSize = Int(bytes.littleEndian(at: z + 40, width: 8))
      cdOffset = Int(bytes.littleEndian(at: z + 48, width: 8))
    }
    guard cdOffset >= 0, cdSize >= 0, cdOffset + cdSize <= bytes.count else {
      throw bad("central directory at \(cdOffset)+\(cdSize) lies outside the \(bytes.count)-byte file")
    }
    var entries: [Entry] = []
    var q = cdOffset
    for i in 0..<count {
      guard q + 46 <= bytes.count, bytes.littleEndian(at: q, width: 4) == 0x0201_4b50 else {
        throw bad("central directory entry \(i) is damaged")
      }
      let method = Int(bytes.littleEndian(at: q + 10, width: 2))
      let crc = UInt32(bytes.littleEndian(at: q + 16, width: 4))
      var compressed = Int(bytes.littleEndian(at: q + 20, width: 4))
      var size = Int(bytes.littleEndian(at: q + 24, width: 4))
      let nameLength = Int(bytes.littleEndian(at: q + 28, width: 2))
      let extraLength = Int(bytes.littleEndian(at: q + 30, width: 2))
      let commentLength = Int(bytes.littleEndian(at: q + 32, width: 2))
      var local = Int(bytes.littleEndian(at: q + 42, width: 4))
      let end = q + 46 + nameLength + extraLength + commentLength
      guard end <= bytes.count else { throw bad("central directory entry \(i) is truncated") }
      let name = String(decoding: bytes[(q + 46)..<(q + 46 + nameLength)], as: UTF8.self)
      var e = q + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd {
        let id = bytes.littleEndian(at: e, width: 2)
        let length = Int(bytes.littleEndian(at: e + 2, width: 2))
        if id == 0x0001 {  // zip64: only the fields saturated above, in this order
          var f = e + 4
          if size == 0xFFFF_FFFF, f + 8 <= extraEnd { size = Int(bytes.littleEndian(at: f, width: 8)); f += 8 }
          if compressed == 0xFFFF_FFFF, f + 8 <= extraEnd {
            compressed = Int(bytes.littleEndian(at: f, width: 8)); f += 8
          }
          if local == 0xFFFF_FFFF, f + 8 <= extraEnd { local = Int(bytes.littleEndian(at: f, width: 8)) }
        }
        e += 4 + length
      }
      entries.append(Entry(name: name, method: method, crc: crc, compressedSize: compressed, size: size,
                           localHeaderOffset: local))
      q = end
    }
    self.entries = entries
  }

  /// The uncompressed bytes of the member `name`.
  public func contents(of name: String) throws -> [UInt8] {
    guard let entry = entries.first(where: { $0.name == name }) else {
      throw DataError.malformed(file: file, problem: "has no member '\(name)'")
    }
    return try contents(of: entry)
  }

  /// The uncompressed bytes of `entry`, CRC-checked.
  public func contents(of entry: Entry) throws -> [UInt8] {
    let where_ = "\(file) member \(entry.name)"
    let l = entry.localHeaderOffset
    guard l >= 0, l + 30 <= bytes.count, bytes.littleEndian(at: l, width: 4) == 0x0403_4b50 else {
      throw DataError.malformed(file: where_, problem: "local header missing (damaged archive)")
    }
    let start = l + 30 + Int(bytes.littleEndian(at: l + 26, width: 2)) + Int(bytes.littleEndian(at: l + 28, width: 2))
    guard entry.compressedSize >= 0, entry.size >= 0, start + entry.compressedSize <= bytes.count else {
      throw DataError.malformed(file: where_, problem: "truncated: data runs past the end of the archive")
    }
    let out: [UInt8]
    switch entry.method {
    case 0:
      guard entry.compressedSize == entry.size else {
        throw DataError.malformed(file: where_, problem: "stored member with differing sizes")
      }
      out = Array(bytes[start..<(start + entry.size)])
    case 8:
      out = try Inflate.inflate(bytes, from: start, count: entry.compressedSize, wrapping: .raw, file: where_,
                                sizeHint: entry.size, expected: entry.size).0
    default:
      throw DataError.malformed(file: where_, problem: "compression method \(entry.method) is not supported")
    }
    let crc = out.withUnsafeBufferPointer { p -> UInt32 in
      var c: UInt = crc32(0, nil, 0)
      var offset = 0
      while offset < p.count {
        let n = min(p.count - offset, 1 << 30)
        c = crc32(c, p.baseAddress! + offset, UInt32(n))
        offset += n
      }
      return UInt32(truncatingIfNeeded: c)
    }
    guard crc == entry.crc else {
      throw DataError.malformed(file: where_, problem: "CRC-32 mismatch (corrupt data)")
    }
    return out
  }
}
