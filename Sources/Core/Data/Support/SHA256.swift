import LetheKernels

/// SHA-256 (FIPS 180-4), streaming. Used to check dataset files against published checksums, to
/// key the decoded-data cache, and to digest forget scenarios.
public struct SHA256: Sendable {
  private var state: [UInt32] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  /// A fresh hash.
  public init() {}

  /// Feeds `bytes`.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
      return
    }
    length &+= UInt64(bytes.count)
    var offset = 0
    if !pending.isEmpty {
      let take = min(64 - pending.count, bytes.count)
      pending.append(contentsOf: UnsafeBufferPointer(start: base, count: take))
      offset = take
      if pending.count == 64 {
        pending.withUnsafeBufferPointer { p in compress(p.baseAddress!, 1) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    let blocks = (bytes.count - offset) / 64
    if blocks > 0 { compress(base + offset, blocks) }
    offset += blocks * 64
    if offset < bytes.count {
      pending.append(contentsOf: UnsafeBufferPointer(start: base + offset, count: bytes.count - offset))
    }
  }

  /// Feeds the bytes of `array`.
  public mutating func update(_ array: [UInt8]) {
    array.withUnsafeBytes { update($0) }
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

  private mutating func compress(_ data: UnsafePointer<UInt8>, _ blocks: Int) {
    state.withUnsafeMutableBufferPointer { s in
      DataSHA256Kernel.compress(state: s.baseAddress!, data: data, blockCount: blocks)
    }
  }

  /// The 32-byte digest (the hash can be finalised once; copy it first to keep feeding).
  public mutating func finalize() -> [UInt8] {
    let bitLength = length &* 8
    var tail = pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
    tail.withUnsafeBufferPointer { p in compress(p.baseAddress!, tail.count / 64) }
    pending = []
    var out: [UInt8] = []
    out.reserveCapacity(32)
    for word in state {
      for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
    }
    return out
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
