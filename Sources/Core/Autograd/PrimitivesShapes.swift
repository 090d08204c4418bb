import LetheKernels

/// Shape changes and indexing: reshape, permute, broadcast, slice, index-select, concatenate.
extension Primitives {
  static func reshape(_ a: Variable, _ shape: [Int]) throws -> Variable {
    let old = a.shape
    return record("reshape", try a.value.reshaped(shape), [a]) { g, _ in [try g.reshaped(old)] }
  }

  static func permute(_ a: Variable, _ axes: [Int]) throws -> Variable {
    let y = try a.value.permuted(axes)
    let ax = axes.map { $0 < 0 ? $0 + a.value.rank : $0 }
    var inverse = [Int](repeating: 0, count: ax.count)
    for (i, p) in ax.enumerated() { inverse[p] = i }
    return record("permute", y, [a]) { g, _ in [try g.permuted(inverse)] }
  }

  static func broadcast(_ a: Variable, to shape: [Int]) throws -> Variable {
    let old = a.shape
    return record("broadcast", try a.value.broadcast(to: shape), [a]) { g, _ in
      [try g.reduced(toShape: old)]
    }
  }

  static func slice(_ a: Variable, axis: Int, start: Int, end: Int) throws -> Variable {
    let shape = a.shape
    let y = try a.value.sliced(axis: axis, start: start, end: end)
    let ax = try Tensor.normalize(axis: axis, rank: shape.count, op: "slice")
    return record("slice", y, [a]) { g, _ in
      var parts: [Tensor] = []
      var before = shape
      before[ax] = start
      var after = shape
      after[ax] = shape[ax] - end
      if start > 0 { parts.append(Tensor.zeros(before)) }
      parts.append(g)
      if end < shape[ax] { parts.append(Tensor.zeros(after)) }
      return [try Tensor.concat(parts, axis: ax)]
    }
  }

  static func indexSelect(_ a: Variable, axis: Int, indices: [Int]) throws -> Variable {
    let shape = a.shape
    let y = try a.value.indexSelect(axis: axis, indices: indices)
    let ax = try Tensor.normalize(axis: axis, rank: shape.count, op: "indexSelect")
    let (outer, n, inner) = a.value.view(from: ax, to: ax)
    return record("indexSelect", y, [a]) { g, _ in
      let k = indices.count
      var gx = Tensor.zeros(shape)
      gx.withMutablePointer { dst in
        g.withPointer { src in
          for o in 0..<outer {
            for (j, idx) in indices.enumerated() {
              Elementwise.axpy(1, src + (o * k + j) * inner, dst + (o * n + idx) * inner, count: inner)
            }
          }
        }
      }
      return [gx]
    }
  }

  static func concat(_ vs: [Variable], axis: Int) throws -> Variable {
    let y = try Tensor.concat(vs.map { $0.value }, axis: axis)
    let ax = try Tensor.normalize(axis: axis, rank: y.rank, op: "concat")
    let extents = vs.map { $0.shape[ax] }
    return record("concat", y, vs) { g, n in
      var start = 0
      var out: [Tensor?] = []
      for (i, e) in extents.enumerated() {
        out.append(n[i] ? try g.sliced(axis: ax, start: start, end: start + e) : nil)
        start += e
      }
      return out
    }
  }
}
