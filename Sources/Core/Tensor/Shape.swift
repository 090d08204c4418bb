import LetheKernels

/// Axis rearrangements: permute, transpose, squeeze, unsqueeze, flatten.
extension Tensor {
  /// The axes reordered: result axis i is this tensor's axis `axes[i]`.
  public func permuted(_ axes: [Int]) throws -> Tensor {
    let a = try axes.map { try Tensor.normalize(axis: $0, rank: rank, op: "permute") }
    guard a.count == rank, Set(a).count == rank else {
      throw TensorError.invalidArgument("permute: \(axes) is not a permutation of \(rank) axes")
    }
    if a == Array(0..<rank) { return self }
    let own = strides
    let outShape = a.map { shape[$0] }
    let s = a.map { own[$0] }
    return withPointer { x in
      Tensor.build(shape: outShape) { Elementwise.gatherStrided(x, strides: s, shape: outShape, $0) }
    }
  }

  /// The last two axes swapped (rank ≥ 2).
  public func transposed() throws -> Tensor {
    guard rank >= 2 else { throw TensorError.invalidShape("transpose needs rank ≥ 2, got \(shape)") }
    return try transposed(rank - 2, rank - 1)
  }

  /// Axes `a` and `b` swapped.
  public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
    let x = try Tensor.normalize(axis: a, rank: rank, op: "transpose")
    let y = try Tensor.normalize(axis: b, rank: rank, op: "transpose")
    var p = Array(0..<rank)
    p.swapAt(x, y)
    return try permuted(p)
  }

  /// The tensor without axis `axis`, which must have extent 1.
  public func squeezed(axis: Int) throws -> Tensor {
    let a = try Tensor.normalize(axis: axis, rank: rank, op: "squeeze")
    guard shape[a] == 1 else {
      throw TensorError.invalidShape("squeeze: axis \(axis) of \(shape) has extent \(shape[a])")
    }
    var s = shape
    s.remove(at: a)
    return try reshaped(s)
  }

  /// The tensor with a new axis of extent 1 at position `axis` (0...rank; negative counts back).
  public func unsqueezed(axis: Int) throws -> Tensor {
    let a = try Tensor.normalize(axis: axis, rank: rank + 1, op: "unsqueeze")
    var s = shape
    s.insert(1, at: a)
    return try reshaped(s)
  }

  /// Axes from `axis` on merged into one: `[N, C, H, W]` → `[N, C·H·W]` for axis 1.
  public func flattened(from axis: Int = 1) throws -> Tensor {
    let a = try Tensor.normalize(axis: axis, rank: Swift.max(rank, 1), op: "flatten")
    if rank == 0 { return try reshaped([1]) }
    return try reshaped(Array(shape[..<a]) + [shape[a...].reduce(1, *)])
  }
}
