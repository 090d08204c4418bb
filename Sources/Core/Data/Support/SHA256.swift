import Crypto

/// SHA-256, streaming: swift-crypto's (BoringSSL, with the CPU's SHA extensions where present).
/// Used to check dataset files against published checksums, to key the decoded-data cache, and
/// to digest forget scenarios. This type keeps the byte-array conveniences those callers use.
public struct SHA256: Sendable {
  private var hasher = Crypto.SHA256()

  /// A fresh hash.
  public init() {}

  /// Feeds `bytes`.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    hasher.update(bufferPointer: bytes)
  }

  /// Feeds the bytes of `array`.
  public mutating func update(_ array: [UInt8]) {
    hasher.update(data: array)
  }

  /// Feeds a string's UTF-8 bytes.
  public mutating func update(_ string: String) {
    update(Array(string.utf8))
  }

  /// Feeds integers as little-endian 64-bit words (used for index lists).
  public mutating func update(_ values: [Int]) {
    let words = values.map { UInt64(bitPattern: Int64($0)).littleEndian }
    words.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest (the hash can be finalised once; copy it first to keep feeding).
  public mutating func finalize() -> [UInt8] {
    Array(hasher.finalize())
  }

  /// The digest as 64 lowercase hex digits.
  public mutating func finalizeHex() -> String {
    SHA256.hex(finalize())
  }

  /// The hex digest of `bytes`.
  public static func hex(of bytes: [UInt8]) -> String {
    var h = SHA256()
    h.update(bytes)
    return h.finalizeHex()
  }

  /// Lowercase hex of any bytes.
  public static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var chars: [UInt8] = []
    chars.reserveCapacity(bytes.count * 2)
    for b in bytes {
      chars.append(digits[Int(b >> 4)])
      chars.append(digits[Int(b & 15)])
    }
    return String(decoding: chars, as: UTF8.self)
  }
}
