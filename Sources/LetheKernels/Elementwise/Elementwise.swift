#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Elementwise loops over raw buffers: unary maps, binary ops with broadcasting strides, and
/// the fused scalar forms the autograd rules need. Each public entry point switches on the
/// operation once, outside the loop, so every loop body is a simple vectorisable expression.
public enum Elementwise {
  /// A binary operation on two floats.
  public enum Binary: Sendable {
    /// a + b
    case add
    /// a − b
    case sub
    /// a · b
    case mul
    /// a / b
    case div
    /// max(a, b)
    case max
    /// min(a, b)
    case min
    /// 1 where a > b, else 0
    case greater
    /// 1 where a < b, else 0
    case less
    /// 1 where a ≥ b, else 0
    case greaterEqual
    /// 1 where a ≤ b, else 0
    case lessEqual
    /// 1 where a == b, else 0
    case equal
  }

  /// A unary operation on a float.
  public enum Unary: Sendable {
    /// −x
    case neg
    /// eˣ
    case exp
    /// ln x
    case log
    /// √x
    case sqrt
    /// max(x, 0)
    case relu
    /// tanh x
    case tanh
    /// 1 / (1 + e⁻ˣ)
    case sigmoid
    /// |x|
    case abs
  }

  /// out[i] = op(x[i]) for i in 0..<count (out may alias x).
  @inline(never)
  public static func unary(
    _ op: Unary, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    if count >= parallelThreshold {
      return split(count) { o, n in unary(op, x + o, out + o, count: n) }
    }
    switch op {
    case .neg: map(x, out, count) { -$0 }
    case .exp: VectorMath.map16(x, out, count, VectorMath.exp) { expf($0) }
    case .log: map(x, out, count) { logf($0) }
    case .sqrt: map(x, out, count) { $0.squareRoot() }
    case .relu: relu(x, out, count)
    case .tanh: VectorMath.map16(x, out, count, VectorMath.tanh) { tanhf($0) }
    case .sigmoid: VectorMath.map16(x, out, count, VectorMath.sigmoid) { 1 / (1 + expf(-$0)) }
    case .abs: map(x, out, count) { Swift.abs($0) }
    }
  }

  /// out[i] = x[i] · scale + shift.
  @inline(never)
  public static func affine(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, scale: Float,
    shift: Float
  ) {
    if count >= parallelThreshold {
      return split(count) { o, n in affine(x + o, out + o, count: n, scale: scale, shift: shift) }
    }
    map(x, out, count) { $0 * scale + shift }
  }

  /// out[i] = x[i]^p (p = 2 and p = 0.5 take exact fast paths).
  @inline(never)
  public static func pow(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, exponent p: Float
  ) {
    if p == 2 {
      map(x, out, count) { $0 * $0 }
    } else if p == 1 {
      map(x, out, count) { $0 }
    } else if p == 0.5 {
      map(x, out, count) { $0.squareRoot() }
    } else {
      map(x, out, count) { powf($0, p) }
    }
  }

  /// out[i] = min(max(x[i], low), high).
  @inline(never)
  public static func clamp(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, low: Float,
    high: Float
  ) {
    map(x, out, count) { Swift.min(Swift.max($0, low), high) }
  }

  /// out[i] = op(a[i], scalar) or op(scalar, a[i]) when `scalarFirst`.
  @inline(never)
  public static func binaryScalar(
    _ op: Binary, _ a: UnsafePointer<Float>, _ s: Float, _ out: UnsafeMutablePointer<Float>,
    count: Int, scalarFirst: Bool
  ) {
    if count >= parallelThreshold {
      return split(count) { o, n in
        binaryScalar(op, a + o, s, out + o, count: n, scalarFirst: scalarFirst)
      }
    }
    if scalarFirst {
      withOp(op) { f in map(a, out, count) { f(s, $0) } }
    } else {
      withOp(op) { f in map(a, out, count) { f($0, s) } }
    }
  }

  /// out[i] = op(a[i], b[i]) for equal shapes.
  @inline(never)
  public static func binary(
    _ op: Binary, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    if count >= parallelThreshold {
      return split(count) { o, n in binary(op, a + o, b + o, out + o, count: n) }
    }
    withOp(op) { f in
      for i in 0..<count { out[i] = f(a[i], b[i]) }
    }
  }

  /// Broadcasting binary op: `shape` is the output shape, `aStrides`/`bStrides` the operands'
  /// element strides per output axis (0 along broadcast axes). Axes are merged where possible
  /// and the innermost axis runs as a tight loop.
  @inline(never)
  public static func binaryBroadcast(
    _ op: Binary, _ a: UnsafePointer<Float>, aStrides: [Int], _ b: UnsafePointer<Float>,
    bStrides: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]
  ) {
    let (dims, sa, sb) = mergeAxes(shape: shape, aStrides: aStrides, bStrides: bStrides)
    let total = dims.reduce(1, *)
    if total == 0 { return }
    let rank = dims.count
    let n = dims[rank - 1]
    let ia = sa[rank - 1]
    let ib = sb[rank - 1]
    let rows = total / n
    var index = [Int](repeating: 0, count: rank)
    var offA = 0
    var offB = 0
    withOp(op) { f in
      var o = out
      for _ in 0..<rows {
        let pa = a + offA
        let pb = b + offB
        if ia == 1 && ib == 1 {
          for j in 0..<n { o[j] = f(pa[j], pb[j]) }
        } else if ia == 1 && ib == 0 {
          let v = pb[0]
          for j in 0..<n { o[j] = f(pa[j], v) }
        } else if ia == 0 && ib == 1 {
          let v = pa[0]
          for j in 0..<n { o[j] = f(v, pb[j]) }
        } else {
          for j in 0..<n { o[j] = f(pa[j * ia], pb[j * ib]) }
        }
        o += n
        // Advance the multi-index over the outer axes.
        var axis = rank - 2
        while axis >= 0 {
          index[axis] += 1
          offA += sa[axis]
          offB += sb[axis]
          if index[axis] < dims[axis] { break }
          offA -= sa[axis] * dims[axis]
          offB -= sb[axis] * dims[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
  }

  /// Copies a strided view (`shape`, element `strides` from `x`) into contiguous `out`.
  @inline(never)
  public static func gatherStrided(
    _ x: UnsafePointer<Float>, strides: [Int], shape: [Int], _ out: UnsafeMutablePointer<Float>
  ) {
    let zero = [Int](repeating: 0, count: shape.count)
    let (dims, sx, _) = mergeAxes(shape: shape, aStrides: strides, bStrides: zero)
    let total = dims.reduce(1, *)
    if total == 0 { return }
    let rank = dims.count
    let n = dims[rank - 1]
    let inner = sx[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var off = 0
    var o = out
    for _ in 0..<(total / n) {
      let p = x + off
      if inner == 1 {
        o.update(from: p, count: n)
      } else {
        for j in 0..<n { o[j] = p[j * inner] }
      }
      o += n
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        off += sx[axis]
        if index[axis] < dims[axis] { break }
        off -= sx[axis] * dims[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// y[i] += alpha · x[i].
  @inline(never)
  public static func axpy(
    _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { y[i] += alpha * x[i] }
  }

  /// out[i] = g[i] where x[i] > 0, else 0 (ReLU's gradient).
  @inline(never)
  public static func reluBackward(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    if count >= parallelThreshold {
      return split(count) { o, n in reluBackward(g + o, x + o, out + o, count: n) }
    }
    var i = 0
    while i + 16 <= count {
      let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + i).storeBytes(
        of: gv.replacing(with: 0, where: xv .<= 0), as: SIMD16<Float>.self)
      i += 16
    }
    while i < count {
      out[i] = x[i] > 0 ? g[i] : 0
      i += 1
    }
  }

  /// out[i] = g[i] · (1 − y[i]²) with y = tanh x.
  @inline(never)
  public static func tanhBackward(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count { out[i] = g[i] * (1 - y[i] * y[i]) }
  }

  /// out[i] = g[i] · y[i] · (1 − y[i]) with y = sigmoid x.
  @inline(never)
  public static func sigmoidBackward(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count { out[i] = g[i] * y[i] * (1 - y[i]) }
  }

  // MARK: - helpers

  /// Loops at least this long are split over the cores (they are memory-bound; smaller ones
  /// do not repay the hand-off).
  static let parallelThreshold = 1 << 18

  /// Calls `body(offset, length)` on a few contiguous pieces of `0..<count`, concurrently.
  static func split(_ count: Int, _ body: (Int, Int) -> Void) {
    let pieces = Swift.max(1, Swift.min(2 * Parallel.threadCount, count / (parallelThreshold / 4)))
    Parallel.forEachIndex(pieces, work: count / pieces) { i in
      let lo = i * count / pieces
      body(lo, (i + 1) * count / pieces - lo)
    }
  }

  /// max(x, 0) sixteen lanes at a time (a branchy scalar loop mispredicts on random signs).
  static func relu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + i).storeBytes(
        of: v.replacing(with: 0, where: v .< 0), as: SIMD16<Float>.self)
      i += 16
    }
    while i < count {
      out[i] = x[i] > 0 ? x[i] : 0
      i += 1
    }
  }

  @inline(__always)
  static func map(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
    _ f: (Float) -> Float
  ) {
    for i in 0..<count { out[i] = f(x[i]) }
  }

  @inline(__always)
  static func withOp(_ op: Binary, _ body: ((Float, Float) -> Float) -> Void) {
    switch op {
    case .add: body { $0 + $1 }
    case .sub: body { $0 - $1 }
    case .mul: body { $0 * $1 }
    case .div: body { $0 / $1 }
    case .max: body { $0 > $1 ? $0 : ($0 != $0 ? $0 : $1) }
    case .min: body { $0 < $1 ? $0 : ($0 != $0 ? $0 : $1) }
    case .greater: body { $0 > $1 ? 1 : 0 }
    case .less: body { $0 < $1 ? 1 : 0 }
    case .greaterEqual: body { $0 >= $1 ? 1 : 0 }
    case .lessEqual: body { $0 <= $1 ? 1 : 0 }
    case .equal: body { $0 == $1 ? 1 : 0 }
    }
  }

  /// Drops extent-1 axes and merges neighbours that are contiguous in both operands.
  static func mergeAxes(shape: [Int], aStrides: [Int], bStrides: [Int]) -> ([Int], [Int], [Int]) {
    var dims: [Int] = []
    var sa: [Int] = []
    var sb: [Int] = []
    for axis in 0..<shape.count where shape[axis] != 1 {
      if let last = dims.last, sa.last! == aStrides[axis] * shape[axis],
        sb.last! == bStrides[axis] * shape[axis]
      {
        dims[dims.count - 1] = last * shape[axis]
        sa[sa.count - 1] = aStrides[axis]
        sb[sb.count - 1] = bStrides[axis]
      } else {
        dims.append(shape[axis])
        sa.append(aStrides[axis])
        sb.append(bStrides[axis])
      }
    }
    if dims.isEmpty { return ([1], [0], [0]) }
    return (dims, sa, sb)
  }
}
