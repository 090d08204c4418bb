import Foundation

/// Reading whole files, and the little helpers every binary format needs.
enum FileBytes {
  /// The bytes of `path`, or `DataError.unreadable` naming it and the reason in plain words.
  static func read(_ path: String) throws -> [UInt8] {
    do {
      return try FileIO.read(path)
    } catch let e as FileError {
      throw DataError.unreadable(file: path, problem: e.reason)
    }
  }

  /// The file's bytes, gunzipped when the name ends in `.gz` or the content starts with gzip's
  /// magic; `limit` bounds what the decompressed content may grow to.
  static func readMaybeGzipped(_ path: String, limit: InflateLimit = InflateLimit()) throws -> [UInt8] {
    try maybeGunzip(try read(path), file: path, limit: limit)
  }

  /// `bytes` gunzipped when they start with gzip's magic (a `.gz` name without it is an error).
  static func maybeGunzip(_ raw: [UInt8], file: String, limit: InflateLimit = InflateLimit()) throws -> [UInt8] {
    if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
      return try Inflate.gunzip(raw, file: file, limit: limit)
    }
    if file.hasSuffix(".gz") {
      throw DataError.malformed(file: file, problem: "named .gz but does not start with gzip's magic bytes")
    }
    return raw
  }

  /// The names in a folder, or `DataError.unreadable` naming it and the reason in plain words.
  static func list(_ folder: String) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw DataError.unreadable(file: folder, problem: FileError.reason(of: error))
    }
  }

  /// The size of a file in bytes, or nil when it is absent.
  static func size(_ path: String) -> Int? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
    return (attributes[.size] as? NSNumber)?.intValue
  }

  static func isFile(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
  }

  static func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
  }
}

/// The product of `extents`, or nil when it overflows or exceeds `limit` (a header that lies).
func checkedProduct(_ extents: [Int], limit: Int = 1 << 40) -> Int? {
  var product = 1
  for e in extents {
    guard e >= 0 else { return nil }
    let (p, overflow) = product.multipliedReportingOverflow(by: e)
    guard !overflow, p <= limit else { return nil }
    product = p
  }
  return product
}

extension Array where Element == UInt8 {
  /// A little-endian offset or size of `width` bytes, clamped to 2^52 so that sums cannot overflow
  /// (any such value fails the caller's bounds checks).
  func littleEndianOffset(at offset: Int, width: Int) -> Int {
    Int(Swift.min(littleEndian(at: offset, width: width), 1 << 52))
  }

  /// A big-endian 32-bit word at `offset` (the caller checked the bounds).
  func bigEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
      | UInt32(self[offset + 3])
  }

  /// A little-endian integer of `width` bytes at `offset` (the caller checked the bounds).
  func littleEndian(at offset: Int, width: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in (0..<width).reversed() { v = v << 8 | UInt64(self[offset + i]) }
    return v
  }
}
