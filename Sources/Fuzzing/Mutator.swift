import Core

/// Seeded mutations of valid files, the kinds that break parsers: bit flips, bytes and integers at
/// their limits (in both byte orders), numbers in text headers swapped for extreme ones, chunks
/// deleted, duplicated or spliced in from another seed, truncation. One to four are stacked.
public struct Mutator {
  private var rng: RandomGenerator
  /// Inputs never grow past this many bytes.
  public let maxSize: Int

  /// A mutator drawing from `seed`.
  public init(seed: UInt64, maxSize: Int = 1 << 16) {
    rng = RandomGenerator(seed: seed)
    self.maxSize = maxSize
  }

  static let interesting: [UInt64] = [
    0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000,
    0xFFFF_FFFF, 0x1_0000_0000, 1 << 40, 1 << 52, 1 << 62, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
    UInt64.max, UInt64.max - 1,
  ]

  static let numbers = [
    "0", "-1", "1", "255", "256", "65536", "2147483647", "2147483648", "4294967296", "100000001",
    "4611686018427387904", "9223372036854775807", "9223372036854775808", "18446744073709551616",
    "1e30", "1e308", "-9223372036854775808", "3.5", "NaN", "99999999999999999999999",
  ]

  /// A mutated copy of `input`; `other` is a second seed to splice from.
  public mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
    var b = input
    for _ in 0...rng.nextInt(below: 4) { b = step(b, other: other) }
    if b.count > maxSize { b.removeSubrange(maxSize...) }
    return b
  }

  private mutating func pick(_ n: Int) -> Int { rng.nextInt(below: max(1, n)) }

  private mutating func step(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
    var b = input
    if b.isEmpty { return [UInt8(pick(256))] }
    switch pick(11) {
    case 0:
      b[pick(b.count)] ^= UInt8(1 << pick(8))
    case 1:
      b[pick(b.count)] = UInt8(pick(256))
    case 2:
      b[pick(b.count)] = UInt8(truncatingIfNeeded: Mutator.interesting[pick(9)])
    case 3:  // an integer at its limits, 2, 4 or 8 bytes, either byte order
      let width = [2, 4, 8][pick(3)]
      guard b.count >= width else { return b }
      var v = Mutator.interesting[pick(Mutator.interesting.count)]
      if pick(4) == 0 { v = v &- 1 }
      let at = pick(b.count - width + 1)
      let bigEndian = pick(2) == 0
      for i in 0..<width {
        let shift = UInt64(8 * (bigEndian ? width - 1 - i : i))
        b[at + i] = UInt8(truncatingIfNeeded: v >> shift)
      }
    case 4:  // a number in a text header (JSON, .npy) replaced by an extreme one
      let digits = b.indices.filter { b[$0] >= 0x30 && b[$0] <= 0x39 }
      guard !digits.isEmpty else { return b }
      let start = digits[pick(digits.count)]
      var end = start
      while end < b.count && (b[end] >= 0x30 && b[end] <= 0x39) { end += 1 }
      b.replaceSubrange(start..<end, with: Array(Mutator.numbers[pick(Mutator.numbers.count)].utf8))
    case 5:  // delete a chunk
      let at = pick(b.count)
      b.removeSubrange(at..<min(b.count, at + 1 + pick(64)))
    case 6:  // duplicate a chunk
      let at = pick(b.count)
      let chunk = Array(b[at..<min(b.count, at + 1 + pick(64))])
      b.insert(contentsOf: chunk, at: pick(b.count + 1))
    case 7:  // insert random bytes
      b.insert(contentsOf: (0...pick(16)).map { _ in UInt8(pick(256)) }, at: pick(b.count + 1))
    case 8:  // truncate
      b.removeSubrange(pick(b.count)...)
    case 9:  // splice from the other seed
      guard !other.isEmpty else { return b }
      let from = pick(other.count)
      let chunk = other[from..<min(other.count, from + 1 + pick(256))]
      let at = pick(b.count)
      b.replaceSubrange(at..<min(b.count, at + chunk.count), with: chunk)
    default:  // a run of one byte value (0x00 or 0xFF)
      let at = pick(b.count)
      let value: UInt8 = pick(2) == 0 ? 0 : 0xFF
      for i in at..<min(b.count, at + 1 + pick(16)) { b[i] = value }
    }
    return b
  }
}
