/// The SHA-256 compression function (FIPS 180-4) over whole 64-byte blocks; Core's `SHA256`
/// does the padding and streaming. Here so that hashing a dataset file is fast in debug builds.
public enum DataSHA256Kernel {
  @usableFromInline static let k: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]

  @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

  /// Folds `blockCount` consecutive 64-byte blocks at `data` into the eight-word `state`.
  public static func compress(
    state: UnsafeMutablePointer<UInt32>, data: UnsafePointer<UInt8>,
    blockCount: Int
  ) {
    k.withUnsafeBufferPointer { kp in
      let schedule = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
      defer { schedule.deallocate() }
      var h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3]
      var h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7]
      for block in 0..<blockCount {
        let p = data + block * 64
        for i in 0..<16 {
          schedule[i] =
            UInt32(p[4 * i]) << 24 | UInt32(p[4 * i + 1]) << 16
            | UInt32(p[4 * i + 2]) << 8 | UInt32(p[4 * i + 3])
        }
        for i in 16..<64 {
          let x = schedule[i - 15], y = schedule[i - 2]
          let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
          let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
          schedule[i] = schedule[i - 16] &+ s0 &+ schedule[i - 7] &+ s1
        }
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        for i in 0..<64 {
          let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
          let ch = (e & f) ^ (~e & g)
          let t1 = h &+ s1 &+ ch &+ kp[i] &+ schedule[i]
          let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
          let maj = (a & b) ^ (a & c) ^ (b & c)
          let t2 = s0 &+ maj
          h = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
        }
        h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d
        h4 = h4 &+ e; h5 = h5 &+ f; h6 = h6 &+ g; h7 = h7 &+ h
      }
      state[0] = h0; state[1] = h1; state[2] = h2; state[3] = h3
      state[4] = h4; state[5] = h5; state[6] = h6; state[7] = h7
    }
  }
}
