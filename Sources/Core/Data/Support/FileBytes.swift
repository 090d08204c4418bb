import Foundation

/// Reading whole files, and the little helpers every binary format needs.
enum FileBytes {
  /// The bytes of `path`, or `DataError.unreadable` naming it.
  static func read(_ path: String) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
        throw DataError.unreadable(file: path, problem: isDir.boolValue ? "is a folder" : "permission denied")
      }
      throw DataError.unreadable(file: path, problem: "no such file")
    }
    defer { try? handle.close() }
    do {
      let data = try handle.readToEnd() ?? Data()
      return [UInt8](data)
    } catch {
      throw DataError.unreadable(file: path, problem: "\(error.localizedDescription)")
    }
  }

  /// The file's bytes, gunzipped when the name ends in `.gz` or the content starts with gzip's magic.
  static func readMaybeGzipped(_ path: String) throws -> [UInt8] {
    let raw = try read(path)
    if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
      return try Inflate.gunzip(raw, file: path)
    }
    if path.hasSuffix(".gz") {
      throw DataError.malformed(file: path, problem: "named .gz but does not start with gzip's magic bytes")
    }
    return raw
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

extension Array where Element == UInt8 {
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
