import LetheKernels

/// Reductions over axes (sum, mean, max, min, variance, argmax), with or without kept axes.
extension Tensor {
  /// The sum over `axes` (all axes when empty).
  public func sum(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
    try reduce(axes: axes, keepDims: keepDims, op: "sum") { x, o, n, i, out in
      Reduce.sum(x, outer: o, n: n, inner: i, out)
    }
  }

  /// The mean over `axes` (all axes when empty).
  public func mean(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
    let a = try Tensor.normalize(axes: axes, rank: rank, op: "mean")
    let n = a.reduce(1) { $0 * shape[$1] }
    guard n > 0 else { throw TensorError.invalidShape("mean over an empty axis of \(shape)") }
    return try sum(axes: a, keepDims: keepDims) * (1 / Float(n))
  }

  /// The maximum over `axes` (all axes when empty).
  public func max(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
    try reduce(axes: axes, keepDims: keepDims, op: "max", nonEmpty: true) { x, o, n, i, out in
      Reduce.max(x, outer: o, n: n, inner: i, out, index: nil)
    }
  }

  /// The minimum over `axes` (all axes when empty).
  public func min(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
    try reduce(axes: axes, keepDims: keepDims, op: "min", nonEmpty: true) { x, o, n, i, out in
      Reduce.min(x, outer: o, n: n, inner: i, out)
    }
  }

  /// The variance over `axes`: biased (÷n) by default, unbiased (÷(n−1)) on request.
  public func variance(axes: [Int] = [], keepDims: Bool = false, unbiased: Bool = false) throws
    -> Tensor
  {
    let a = try Tensor.normalize(axes: axes, rank: rank, op: "variance")
    let n = a.reduce(1) { $0 * shape[$1] }
    guard n > (unbiased ? 1 : 0) else {
      throw TensorError.invalidShape("variance over \(n) element(s) of \(shape)")
    }
    let mu = try mean(axes: a, keepDims: true)
    let d = try self - mu
    let ss = try (d * d).sum(axes: a, keepDims: keepDims)
    return ss * (1 / Float(unbiased ? n - 1 : n))
  }

  /// The position of the first maximum along `axis`, as Float values.
  public func argmax(axis: Int, keepDims: Bool = false) throws -> Tensor {
    let (idx, outShape) = try argmaxRaw(axis: axis, keepDims: keepDims)
    return Tensor(shape: outShape, storage: idx.map { Float($0) })
  }

  /// The position of the first maximum along `axis`, row-major over the remaining axes.
  public func argmaxIndices(axis: Int) throws -> [Int] {
    try argmaxRaw(axis: axis, keepDims: false).0.map { Int($0) }
  }

  /// The sum of every element.
  public var sumAll: Float { (try? sum().storage[0]) ?? 0 }
  /// The mean of every element (NaN when empty).
  public var meanAll: Float { count == 0 ? .nan : sumAll / Float(count) }

  func argmaxRaw(axis: Int, keepDims: Bool) throws -> ([Int32], [Int]) {
    let a = try Tensor.normalize(axis: axis, rank: rank, op: "argmax")
    guard shape[a] > 0 else { throw TensorError.invalidShape("argmax over an empty axis of \(shape)") }
    let (outer, n, inner) = view(from: a, to: a)
    var idx = [Int32](repeating: 0, count: outer * inner)
    var scratch = [Float](repeating: 0, count: outer * inner)
    withPointer { x in
      idx.withUnsafeMutableBufferPointer { ib in
        scratch.withUnsafeMutableBufferPointer { sb in
          if let ip = ib.baseAddress, let sp = sb.baseAddress {
            Reduce.max(x, outer: outer, n: n, inner: inner, sp, index: ip)
          }
        }
      }
    }
    return (idx, reducedShape([a], keepDims: keepDims))
  }

  /// [outer, n, inner] view with axes first...last (inclusive) as the middle.
  func view(from first: Int, to last: Int) -> (Int, Int, Int) {
    let outer = shape[..<first].reduce(1, *)
    let n = shape[first...last].reduce(1, *)
    let inner = shape[(last + 1)...].reduce(1, *)
    return (outer, n, inner)
  }

  func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
    var s: [Int] = []
    for (i, d) in shape.enumerated() {
      if axes.contains(i) {
        if keepDims { s.append(1) }
      } else {
        s.append(d)
      }
    }
    return s
  }

  typealias ReduceKernel = (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void

  func reduce(
    axes: [Int], keepDims: Bool, op: String, nonEmpty: Bool = false, _ kernel: ReduceKernel
  ) throws -> Tensor {
    let a = try Tensor.normalize(axes: axes, rank: rank, op: op)
    if nonEmpty && a.contains(where: { shape[$0] == 0 }) {
      throw TensorError.invalidShape("\(op) over an empty axis of \(shape)")
    }
    let outShape = reducedShape(a, keepDims: keepDims)
    if a.isEmpty { return try reshaped(outShape) }
    if let f = a.first, let l = a.last, l - f + 1 == a.count {
      let (outer, n, inner) = view(from: f, to: l)
      return withPointer { x in
        Tensor.build(shape: outShape) { kernel(x, outer, n, inner, $0) }
      }
    }
    // Non-adjacent axes: one axis at a time, innermost first, keeping axes so indices hold.
    var t = self
    for axis in a.reversed() {
      t = try t.reduce(axes: [axis], keepDims: true, op: op, kernel)
    }
    return try t.reshaped(outShape)
  }
}
