import LetheKernels

/// Matrix products: `matmul` (batched, broadcasting) and the fully connected layer.
extension Primitives {
  static func matmul(_ a: Variable, _ b: Variable) throws -> Variable {
    let out = try a.value.matmul(b.value)
    let (xShape, yShape) = (a.shape, b.shape)
    // Each operand is kept only for the other's gradient (see `linear`).
    let savedX: Tensor? = b.requiresGrad ? a.value : nil
    let savedY: Tensor? = a.requiresGrad ? b.value : nil
    return record("matmul", out, [a, b]) { g, n in
      var gx: Tensor? = nil
      var gy: Tensor? = nil
      if n[0], let y = savedY {
        // g · yᵀ, summed over batch entries when x was shared (rank 2).
        let full = try Tensor.matmul(g, transposeA: false, y, transposeB: true)
        gx = try full.reduced(toShape: xShape)
      }
      if n[1], let x = savedX {
        if yShape.count == 2 && x.rank > 2 {
          // Shared right operand: fold the batch into rows, one GEMM.
          let x2 = try x.reshaped([-1, x.shape[x.rank - 1]])
          let g2 = try g.reshaped([-1, g.shape[g.rank - 1]])
          gy = try Tensor.matmul(x2, transposeA: true, g2, transposeB: false)
        } else {
          let full = try Tensor.matmul(x, transposeA: true, g, transposeB: false)
          gy = try full.reduced(toShape: yShape)
        }
      }
      return [gx, gy]
    }
  }

  /// y = x · Wᵀ + b for x `[N, in]`, W `[out, in]`, b `[out]`.
  static func linear(_ x: Variable, _ w: Variable, _ b: Variable?) throws -> Variable {
    let (xv, wv) = (x.value, w.value)
    guard xv.rank == 2, wv.rank == 2, xv.shape[1] == wv.shape[1] else {
      throw TensorError.shapeMismatch("linear: input \(xv.shape) with weight \(wv.shape)")
    }
    if let b, b.shape != [wv.shape[0]] {
      throw TensorError.shapeMismatch("linear: bias \(b.shape) for weight \(wv.shape)")
    }
    let (rows, outs, ins) = (xv.shape[0], wv.shape[0], wv.shape[1])
    // Rows start as the bias and the GEMM accumulates onto them (β = 1): one pass fewer.
    let bias = b?.value
    let y = xv.withPointer { xp in
      wv.withPointer { wp in
        Tensor.build(shape: [rows, outs]) { yp in
          if let bias {
            bias.withPointer { bp in
              for r in 0..<rows { (yp + r * outs).update(from: bp, count: outs) }
            }
          }
          if rows * outs == 0 { return }
          if ins == 0 {
            if bias == nil { yp.update(repeating: 0, count: rows * outs) }
            return
          }
          Gemm.sgemm(
            transA: false, transB: true, m: rows, n: outs, k: ins, alpha: 1, a: xp, lda: ins, b: wp,
            ldb: ins, beta: bias == nil ? 0 : 1, c: yp, ldc: outs)
        }
      }
    }
    let inputs = b.map { [x, w, $0] } ?? [x, w]
    // Keep only what the rule will read (as PyTorch saves tensors): the weight for the input's
    // gradient, the input for the weight's. A weight kept for nothing would make the optimiser
    // copy its storage (shared with this graph) before updating it.
    let savedW: Tensor? = x.requiresGrad ? wv : nil
    let savedX: Tensor? = w.requiresGrad ? xv : nil
    return record("linear", y, inputs) { g, n in
      var out: [Tensor?] = [
        n[0] ? try g.matmul(savedW!) : nil,
        n[1] ? try Tensor.matmul(g, transposeA: true, savedX!, transposeB: false) : nil,
      ]
      if n.count == 3 { out.append(n[2] ? try g.sum(axes: [0]) : nil) }
      return out
    }
  }
}
