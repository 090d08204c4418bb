import LetheKernels

/// NumPy broadcasting: shapes are aligned at their last axes; extents must be equal or 1.
extension Tensor {
  /// The shape two operands broadcast to, or an error naming both.
  public static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      guard da == db || da == 1 || db == 1 else {
        throw TensorError.shapeMismatch("cannot broadcast \(a) with \(b)")
      }
      out[i] = da == 1 ? db : da
    }
    return out
  }

  /// Element strides of this tensor viewed in the (broadcast) `shape`: 0 along broadcast axes.
  func broadcastStrides(to shape: [Int]) -> [Int] {
    let own = strides
    let lead = shape.count - rank
    return (0..<shape.count).map { i in
      i < lead || self.shape[i - lead] == 1 ? 0 : own[i - lead]
    }
  }

  /// This tensor repeated along broadcast axes to `shape`.
  public func broadcast(to shape: [Int]) throws -> Tensor {
    let target = try Tensor.broadcastShape(self.shape, shape)
    guard target == shape else {
      throw TensorError.shapeMismatch("cannot broadcast \(self.shape) to \(shape)")
    }
    if self.shape == shape { return self }
    try Tensor.validate(shape: shape)
    let s = broadcastStrides(to: shape)
    return withPointer { x in
      Tensor.build(shape: shape) { Elementwise.gatherStrided(x, strides: s, shape: shape, $0) }
    }
  }

  /// Sums a gradient of broadcast shape back down to `shape` (the adjoint of broadcasting).
  public func reduced(toShape shape: [Int]) throws -> Tensor {
    if self.shape == shape { return self }
    let lead = rank - shape.count
    guard lead >= 0 else {
      throw TensorError.shapeMismatch("cannot reduce \(self.shape) to \(shape)")
    }
    var axes: [Int] = Array(0..<lead)
    for i in 0..<shape.count where shape[i] == 1 && self.shape[lead + i] != 1 {
      axes.append(lead + i)
    }
    for i in 0..<shape.count where shape[i] != 1 && shape[i] != self.shape[lead + i] {
      throw TensorError.shapeMismatch("cannot reduce \(self.shape) to \(shape)")
    }
    if axes.isEmpty { return try reshaped(shape) }
    return try sum(axes: axes, keepDims: true).reshaped(shape)
  }

  /// op(self, other) with broadcasting.
  func broadcasting(_ op: Elementwise.Binary, _ other: Tensor, name: String) throws -> Tensor {
    if shape == other.shape {
      return withPointer { a in
        other.withPointer { b in
          Tensor.build(shape: shape) { Elementwise.binary(op, a, b, $0, count: count) }
        }
      }
    }
    if other.count == 1 && rank >= other.rank {
      let s = other.storage[0]
      return withPointer { a in
        Tensor.build(shape: shape) {
          Elementwise.binaryScalar(op, a, s, $0, count: count, scalarFirst: false)
        }
      }
    }
    if count == 1 && other.rank >= rank {
      let s = storage[0]
      return other.withPointer { b in
        Tensor.build(shape: other.shape) {
          Elementwise.binaryScalar(op, b, s, $0, count: other.count, scalarFirst: true)
        }
      }
    }
    let out: [Int]
    do {
      out = try Tensor.broadcastShape(shape, other.shape)
    } catch {
      throw TensorError.shapeMismatch("\(name): cannot broadcast \(shape) with \(other.shape)")
    }
    try Tensor.validate(shape: out)
    let sa = broadcastStrides(to: out)
    let sb = other.broadcastStrides(to: out)
    return withPointer { a in
      other.withPointer { b in
        Tensor.build(shape: out) {
          Elementwise.binaryBroadcast(op, a, aStrides: sa, b, bStrides: sb, $0, shape: out)
        }
      }
    }
  }
}
