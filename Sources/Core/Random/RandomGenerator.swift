/// A seeded pseudo-random generator (xoshiro256**): the same seed gives the same stream on
/// every run, which is what makes forget sets, initialisations and batch orders reproducible.
///
/// It is a value type: copying it forks the stream. Use `split()` to derive an independent
/// generator for a sub-task without disturbing the parent's sequence beyond one draw.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// A generator whose whole stream is determined by `seed`.
  public init(seed: UInt64) {
    // SplitMix64 spreads the seed over the 256-bit state, as xoshiro's authors recommend.
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// A uniform Float in [0, 1), from the top 24 bits.
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A standard normal Float (Box–Muller on two uniforms).
  public mutating func nextNormal() -> Float {
    let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    let r = (-2.0 * log(max(u1, Double.leastNormalMagnitude))).squareRoot()
    return Float(r * cos(2.0 * Double.pi * u2))
  }

  /// A uniform integer in `0..<bound` (bound > 0), without modulo bias.
  public mutating func nextInt(below bound: Int) -> Int {
    Int(next(upperBound: UInt64(bound)))
  }

  /// A random permutation of `0..<n` (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    var i = n - 1
    while i > 0 {
      let j = nextInt(below: i + 1)
      p.swapAt(i, j)
      i -= 1
    }
    return p
  }

  /// An independent generator seeded from this one's next draw.
  public mutating func split() -> RandomGenerator {
    RandomGenerator(seed: next())
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
