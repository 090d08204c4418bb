import LetheKernels

/// Slicing, gathering by index lists, concatenation and stacking.
extension Tensor {
  /// Elements `start..<end` along `axis` (bounds must lie within the axis).
  public func sliced(axis: Int, start: Int, end: Int) throws -> Tensor {
    let a = try Tensor.normalize(axis: axis, rank: rank, op: "slice")
    guard start >= 0, end <= shape[a], start <= end else {
      throw TensorError.indexOutOfRange(
        "slice \(start)..<\(end) of axis \(axis) with extent \(shape[a]) (shape \(shape))")
    }
    var outShape = shape
    outShape[a] = end - start
    let s = strides
    let offset = start * s[a]
    return withPointer { x in
      Tensor.build(shape: outShape) {
        Elementwise.gatherStrided(x + offset, strides: s, shape: outShape, $0)
      }
    }
  }

  /// The entries at `indices` along `axis`, in that order (repeats allowed).
  public func indexSelect(axis: Int, indices: [Int]) throws -> Tensor {
    let a = try Tensor.normalize(axis: axis, rank: rank, op: "indexSelect")
    if let bad = indices.first(where: { $0 < 0 || $0 >= shape[a] }) {
      throw TensorError.indexOutOfRange(
        "indexSelect: index \(bad) on axis \(axis) with extent \(shape[a]) (shape \(shape))")
    }
    let (outer, n, inner) = view(from: a, to: a)
    var outShape = shape
    outShape[a] = indices.count
    try Tensor.validate(shape: outShape)
    let k = indices.count
    return withPointer { x in
      Tensor.build(shape: outShape) { out in
        for o in 0..<outer {
          for (j, idx) in indices.enumerated() {
            (out + (o * k + j) * inner).update(from: x + (o * n + idx) * inner, count: inner)
          }
        }
      }
    }
  }

  /// The tensors joined along `axis`; all other extents must agree.
  public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument("concat of an empty list")
    }
    let a = try normalize(axis: axis, rank: first.rank, op: "concat")
    for t in tensors {
      var s1 = t.shape
      var s0 = first.shape
      guard t.rank == first.rank else {
        throw TensorError.shapeMismatch("concat: ranks differ, \(first.shape) and \(t.shape)")
      }
      s1[a] = 0
      s0[a] = 0
      guard s0 == s1 else {
        throw TensorError.shapeMismatch(
          "concat along axis \(axis): \(first.shape) and \(t.shape) differ off that axis")
      }
    }
    var outShape = first.shape
    var joined = 0
    for t in tensors {
      let (sum, overflow) = joined.addingReportingOverflow(t.shape[a])
      guard !overflow else { throw TensorError.invalidShape("concat: the joined extent overflows") }
      joined = sum
    }
    outShape[a] = joined
    try validate(shape: outShape)
    let outer = first.shape[..<a].reduce(1, *)
    let inner = first.shape[(a + 1)...].reduce(1, *)
    let total = outShape[a]
    var out = Tensor.zeros(outShape)
    out.withMutablePointer { dst in
      var offset = 0
      for t in tensors {
        let n = t.shape[a]
        t.withPointer { src in
          for o in 0..<outer {
            (dst + (o * total + offset) * inner).update(from: src + o * n * inner, count: n * inner)
          }
        }
        offset += n
      }
    }
    return out
  }

  /// The tensors (of equal shapes) stacked along a new axis.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument("stack of an empty list")
    }
    for t in tensors where t.shape != first.shape {
      throw TensorError.shapeMismatch("stack: shapes \(first.shape) and \(t.shape) differ")
    }
    let a = try normalize(axis: axis, rank: first.rank + 1, op: "stack")
    return try concat(tensors.map { try $0.unsqueezed(axis: a) }, axis: a)
  }
}
