import LetheKernels

/// Sums and maxima over axes.
extension Primitives {
  static func sum(_ a: Variable, axes: [Int], keepDims: Bool) throws -> Variable {
    let shape = a.shape
    let ax = try Tensor.normalize(axes: axes, rank: shape.count, op: "sum")
    let kept = ax.isEmpty ? shape : a.value.reducedShape(ax, keepDims: true)
    return record("sum", try a.value.sum(axes: ax, keepDims: keepDims), [a]) { g, _ in
      [try g.reshaped(kept).broadcast(to: shape)]
    }
  }

  /// Maximum over axes; the gradient goes to the first maximal element of each group.
  static func max(_ a: Variable, axes: [Int], keepDims: Bool) throws -> Variable {
    let x = a.value
    let ax = try Tensor.normalize(axes: axes, rank: x.rank, op: "max")
    if ax.contains(where: { x.shape[$0] == 0 }) {
      throw TensorError.invalidShape("max over an empty axis of \(x.shape)")
    }
    guard let f = ax.first, let l = ax.last, l - f + 1 == ax.count else {
      // Non-adjacent axes: move them to the end, then reduce one trailing block.
      let rest = (0..<x.rank).filter { !ax.contains($0) }
      let moved = try permute(a, rest + ax)
      let m = try max(moved, axes: Array(rest.count..<x.rank), keepDims: false)
      return keepDims ? try reshape(m, x.reducedShape(ax, keepDims: true)) : m
    }
    let (outer, n, inner) = x.view(from: f, to: l)
    var index = [Int32](repeating: 0, count: outer * inner)
    let y = x.withPointer { xp in
      index.withUnsafeMutableBufferPointer { ib in
        Tensor.build(shape: x.reducedShape(ax, keepDims: keepDims)) {
          Reduce.max(xp, outer: outer, n: n, inner: inner, $0, index: ib.baseAddress!)
        }
      }
    }
    return record("max", y, [a]) { g, _ in
      [
        g.withPointer { gp in
          index.withUnsafeBufferPointer { ib in
            Tensor.build(shape: x.shape) {
              Reduce.maxBackward(gp, index: ib.baseAddress!, outer: outer, n: n, inner: inner, $0)
            }
          }
        }
      ]
    }
  }
}
