import LetheKernels

/// Every differentiable primitive: its forward computation and, next to it, its gradient rule.
///
/// Each function validates shapes (throwing `TensorError`), computes the value with `Tensor`
/// operations or LetheKernels loops, and records a `GradNode` when gradients are wanted. The
/// public surface is `Variable`'s operators/methods and `Functional`; composed operations
/// (mean, MSE, cross-entropy, KL, adaptive pooling) are built from these and need no rule.
enum Primitives {
  /// Wraps `value` as a variable, recording `rule` when recording is on and an input needs it.
  /// `rule` gets the output gradient and which inputs need gradients.
  static func record(
    _ name: String, _ value: Tensor, _ inputs: [Variable],
    _ rule: @escaping (Tensor, [Bool]) throws -> [Tensor?]
  ) -> Variable {
    guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else {
      return Variable(value)
    }
    let needs = inputs.map { $0.requiresGrad }
    let v = Variable(value, requiresGrad: true)
    v.creator = GradNode(name: name, inputs: inputs) { g in try rule(g, needs) }
    return v
  }

  // MARK: - Broadcasting arithmetic

  static func add(_ a: Variable, _ b: Variable) throws -> Variable {
    let (sa, sb) = (a.shape, b.shape)
    return record("add", try a.value + b.value, [a, b]) { g, n in
      [n[0] ? try g.reduced(toShape: sa) : nil, n[1] ? try g.reduced(toShape: sb) : nil]
    }
  }

  static func sub(_ a: Variable, _ b: Variable) throws -> Variable {
    let (sa, sb) = (a.shape, b.shape)
    return record("sub", try a.value - b.value, [a, b]) { g, n in
      [n[0] ? try g.reduced(toShape: sa) : nil, n[1] ? try (-g).reduced(toShape: sb) : nil]
    }
  }

  static func mul(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (a.value, b.value)
    return record("mul", try x * y, [a, b]) { g, n in
      [
        n[0] ? try (g * y).reduced(toShape: x.shape) : nil,
        n[1] ? try (g * x).reduced(toShape: y.shape) : nil,
      ]
    }
  }

  static func div(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (a.value, b.value)
    let out = try x / y
    return record("div", out, [a, b]) { g, n in
      [
        n[0] ? try (g / y).reduced(toShape: x.shape) : nil,
        // ∂(x/y)/∂y = −(x/y)/y
        n[1] ? try (-(try g * out) / y).reduced(toShape: y.shape) : nil,
      ]
    }
  }

  /// x · scale + shift (scalar affine map: covers adding, subtracting and scaling by scalars).
  static func affine(_ a: Variable, scale: Float, shift: Float) -> Variable {
    record("affine", a.value.affine(scale: scale, shift: shift), [a]) { g, _ in [g * scale] }
  }

  // MARK: - Unary maps

  static func neg(_ a: Variable) -> Variable {
    record("neg", -a.value, [a]) { g, _ in [-g] }
  }

  static func exp(_ a: Variable) -> Variable {
    let y = a.value.exp()
    return record("exp", y, [a]) { g, _ in [try g * y] }
  }

  static func log(_ a: Variable) -> Variable {
    let x = a.value
    return record("log", x.log(), [a]) { g, _ in [try g / x] }
  }

  static func sqrt(_ a: Variable) -> Variable {
    let y = a.value.sqrt()
    return record("sqrt", y, [a]) { g, _ in [try g / (y * 2)] }
  }

  static func pow(_ a: Variable, _ p: Float) -> Variable {
    let x = a.value
    return record("pow", x.pow(p), [a]) { g, _ in [try g * (x.pow(p - 1) * p)] }
  }

  static func relu(_ a: Variable) -> Variable {
    let x = a.value
    return record("relu", x.relu(), [a]) { g, _ in
      [
        x.withPointer { xp in
          g.withPointer { gp in
            Tensor.build(shape: x.shape) { Elementwise.reluBackward(gp, xp, $0, count: x.count) }
          }
        }
      ]
    }
  }

  static func tanh(_ a: Variable) -> Variable {
    let y = a.value.tanh()
    return record("tanh", y, [a]) { g, _ in
      [
        y.withPointer { yp in
          g.withPointer { gp in
            Tensor.build(shape: y.shape) { Elementwise.tanhBackward(gp, yp, $0, count: y.count) }
          }
        }
      ]
    }
  }

  static func sigmoid(_ a: Variable) -> Variable {
    let y = a.value.sigmoid()
    return record("sigmoid", y, [a]) { g, _ in
      [
        y.withPointer { yp in
          g.withPointer { gp in
            Tensor.build(shape: y.shape) { Elementwise.sigmoidBackward(gp, yp, $0, count: y.count) }
          }
        }
      ]
    }
  }

  // MARK: - Reductions

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

  // MARK: - Shapes

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

  // MARK: - Matrix products

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

  // MARK: - Indexing

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

  // MARK: - Softmax family

  static func softmax(_ a: Variable, axis: Int, log: Bool) throws -> Variable {
    let x = a.value
    let ax = try Tensor.normalize(axis: axis, rank: x.rank, op: log ? "logSoftmax" : "softmax")
    let (outer, n, inner) = x.view(from: ax, to: ax)
    let y = x.withPointer { xp in
      Tensor.build(shape: x.shape) {
        Reduce.softmax(xp, outer: outer, n: n, inner: inner, $0, log: log)
      }
    }
    return record(log ? "logSoftmax" : "softmax", y, [a]) { g, _ in
      [
        g.withPointer { gp in
          y.withPointer { yp in
            Tensor.build(shape: x.shape) {
              if log {
                Reduce.logSoftmaxBackward(gp, yp, outer: outer, n: n, inner: inner, $0)
              } else {
                Reduce.softmaxBackward(gp, yp, outer: outer, n: n, inner: inner, $0)
              }
            }
          }
        }
      ]
    }
  }

  /// Mean negative log-likelihood of `targets` under row-wise log-probabilities `[N, K]`.
  static func nllLoss(_ logProbs: Variable, targets: [Int]) throws -> Variable {
    let x = logProbs.value
    guard x.rank == 2 else {
      throw TensorError.invalidShape("nllLoss: expected [batch, classes], got \(x.shape)")
    }
    let (rows, k) = (x.shape[0], x.shape[1])
    guard targets.count == rows, rows > 0 else {
      throw TensorError.shapeMismatch("nllLoss: \(targets.count) targets for \(rows) rows")
    }
    if let bad = targets.first(where: { $0 < 0 || $0 >= k }) {
      throw TensorError.indexOutOfRange("nllLoss: target \(bad) outside 0..<\(k)")
    }
    var s = 0.0
    for (i, t) in targets.enumerated() { s -= Double(x.storage[i * k + t]) }
    let loss = Tensor(scalar: Float(s / Double(rows)))
    return record("nllLoss", loss, [logProbs]) { g, _ in
      var gx = Tensor.zeros(x.shape)
      let v = -g.storage[0] / Float(rows)
      for (i, t) in targets.enumerated() { gx.storage[i * k + t] = v }
      return [gx]
    }
  }

  /// Σ target · (log target − logProbs) / N (terms with target = 0 count 0), PyTorch's
  /// `kl_div(..., reduction: "batchmean")`.
  static func klDivBatchMean(_ logProbs: Variable, _ target: Variable) throws -> Variable {
    let (x, t) = (logProbs.value, target.value)
    guard x.shape == t.shape, x.rank >= 1, x.shape[0] > 0 else {
      throw TensorError.shapeMismatch("klDivBatchMean: input \(x.shape) and target \(t.shape)")
    }
    let batch = Float(x.shape[0])
    var s = 0.0
    var logT = [Float](repeating: 0, count: t.count)
    for i in 0..<t.count where t.storage[i] > 0 {
      logT[i] = logf(t.storage[i])
      s += Double(t.storage[i] * (logT[i] - x.storage[i]))
    }
    let loss = Tensor(scalar: Float(s) / batch)
    return record("klDivBatchMean", loss, [logProbs, target]) { g, n in
      let scale = g.storage[0] / batch
      var gx: Tensor? = nil
      var gt: Tensor? = nil
      if n[0] { gx = t * (-scale) }
      if n[1] {
        var v = [Float](repeating: 0, count: t.count)
        for i in 0..<t.count where t.storage[i] > 0 {
          v[i] = scale * (logT[i] + 1 - x.storage[i])
        }
        gt = Tensor(shape: t.shape, storage: v)
      }
      return [gx, gt]
    }
  }

  // MARK: - Convolution and pooling

  static func conv2d(_ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int)
    throws -> Variable
  {
    try conv2d(x, w, b, stride: stride, padding: padding, relu: false)
  }

  static func pool2d(_ x: Variable, kernel: Int, stride: Int, padding: Int, max isMax: Bool)
    throws -> Variable
  {
    let xv = x.value
    let name = isMax ? "maxPool2d" : "avgPool2d"
    guard xv.rank == 4 else { throw TensorError.invalidShape("\(name): input \(xv.shape) must be 4-D") }
    guard kernel >= 1, stride >= 1, padding >= 0, padding <= kernel / 2 else {
      throw TensorError.invalidArgument(
        "\(name): kernel \(kernel), stride \(stride), padding \(padding) (padding ≤ kernel/2)")
    }
    let (h, w) = (xv.shape[2], xv.shape[3])
    guard h + 2 * padding >= kernel, w + 2 * padding >= kernel else {
      throw TensorError.shapeMismatch("\(name): kernel \(kernel) larger than input \(xv.shape)")
    }
    let oh = (h + 2 * padding - kernel) / stride + 1
    let ow = (w + 2 * padding - kernel) / stride + 1
    let planes = xv.shape[0] * xv.shape[1]
    let outShape = [xv.shape[0], xv.shape[1], oh, ow]
    if isMax {
      var index = [Int32](repeating: 0, count: planes * oh * ow)
      let y = xv.withPointer { xp in
        index.withUnsafeMutableBufferPointer { ib in
          Tensor.build(shape: outShape) {
            Pool.maxForward(
              xp, planes: planes, height: h, width: w, kernel: kernel, stride: stride,
              padding: padding, outH: oh, outW: ow, $0, index: ib.baseAddress!)
          }
        }
      }
      return record(name, y, [x]) { g, _ in
        [
          g.withPointer { gp in
            index.withUnsafeBufferPointer { ib in
              Tensor.build(shape: xv.shape) {
                Pool.maxBackward(
                  gp, index: ib.baseAddress!, planes: planes, height: h, width: w, outH: oh, outW: ow, $0)
              }
            }
          }
        ]
      }
    }
    let y = xv.withPointer { xp in
      Tensor.build(shape: outShape) {
        Pool.avgForward(
          xp, planes: planes, height: h, width: w, kernel: kernel, stride: stride, padding: padding,
          outH: oh, outW: ow, $0)
      }
    }
    return record(name, y, [x]) { g, _ in
      [
        g.withPointer { gp in
          Tensor.build(shape: xv.shape) {
            Pool.avgBackward(
              gp, planes: planes, height: h, width: w, kernel: kernel, stride: stride,
              padding: padding, outH: oh, outW: ow, $0)
          }
        }
      ]
    }
  }

  // MARK: - Batch norm and dropout

  /// Batch normalisation over axis 1 of `[N, C]` or `[N, C, H, W]` (see `Functional.batchNorm`).
  static func batchNorm(
    _ x: Variable, weight: Variable?, bias: Variable?, runningMean: inout Tensor,
    runningVar: inout Tensor, training: Bool, momentum: Float, eps: Float
  ) throws -> Variable {
    try batchNorm(
      x, weight: weight, bias: bias, runningMean: &runningMean, runningVar: &runningVar,
      training: training, momentum: momentum, eps: eps, residual: nil, relu: false)
  }

  /// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p).
  static func dropout(_ x: Variable, p: Float, training: Bool, rng: inout RandomGenerator) throws
    -> Variable
  {
    guard p >= 0, p <= 1 else {
      throw TensorError.invalidArgument("dropout: probability \(p) outside [0, 1]")
    }
    if !training || p == 0 { return x }
    let keep = p >= 1 ? 0 : 1 / (1 - p)
    let n = x.value.count
    // Two 24-bit uniforms per 64-bit draw; an element survives when its uniform u ≥ p.
    let threshold = UInt32(Swift.min(Double(p) * 16_777_216, 16_777_216))
    let drawCount = (n + 1) / 2
    let draws = [UInt64](unsafeUninitializedCapacity: drawCount) { buf, initialized in
      for j in 0..<drawCount { buf[j] = rng.next() }
      initialized = drawCount
    }
    var maskT = Tensor.uninitialized(x.shape)
    let y = Tensor.build(shape: x.shape) { yp in
      x.value.withPointer { xp in
        draws.withUnsafeBufferPointer { dp in
          maskT.withMutablePointer { mp in
            DropoutKernels.apply(
              x: xp, draws: dp.baseAddress!, threshold: threshold, keep: keep, mask: mp, y: yp,
              count: n)
          }
        }
      }
    }
    return record("dropout", y, [x]) { [maskT] g, _ in [try g * maskT] }
  }

  // MARK: - Fused primitives

  /// conv2d, then ReLU when `relu` (one primitive: the ReLU runs in the convolution's
  /// epilogue, and its gradient mask is applied where the convolution's backward reads the
  /// incoming gradient).
  static func conv2d(
    _ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int, relu: Bool
  ) throws -> Variable {
    let (xv, wv) = (x.value, w.value)
    let geo = try conv2dGeometry(xv.shape, wv.shape, bias: b?.shape, stride: stride, padding: padding)
    let bv = b?.value
    let y = xv.withPointer { xp in
      wv.withPointer { wp in
        Tensor.build(shape: [geo.batch, geo.outChannels, geo.outH, geo.outW]) { yp in
          if let bv {
            bv.withPointer {
              Conv2dKernels.forward(geo, x: xp, weight: wp, bias: $0, relu: relu, y: yp)
            }
          } else {
            Conv2dKernels.forward(geo, x: xp, weight: wp, bias: nil, relu: relu, y: yp)
          }
        }
      }
    }
    let inputs = b.map { [x, w, $0] } ?? [x, w]
    return record(relu ? "conv2dReLU" : "conv2d", y, inputs) { g, n in
      // The kernel overwrites every element of each requested gradient.
      var gx = n[0] ? Tensor.uninitialized(xv.shape) : nil
      var gw = n[1] ? Tensor.uninitialized(wv.shape) : nil
      var gb = n.count == 3 && n[2] ? Tensor.uninitialized([geo.outChannels]) : nil
      xv.withPointer { xp in
        wv.withPointer { wp in
          g.withPointer { gp in
            y.withPointer { yp in
              gx.withOptionalPointer { gxp in
                gw.withOptionalPointer { gwp in
                  gb.withOptionalPointer { gbp in
                    Conv2dKernels.backward(
                      geo, x: xp, weight: wp, gradY: gp, reluOutput: relu ? yp : nil, gradX: gxp,
                      gradW: gwp, gradB: gbp)
                  }
                }
              }
            }
          }
        }
      }
      return n.count == 3 ? [gx, gw, gb] : [gx, gw]
    }
  }

  /// Batch normalisation, plus `residual` (same shape as x) when given, then ReLU when `relu`:
  /// relu(batchNorm(x) + residual) as one primitive (ResNet's blocks). The forward is one pass;
  /// the backward masks the incoming gradient once, passes it to the residual, and runs batch
  /// norm's rule on it.
  static func batchNorm(
    _ x: Variable, weight: Variable?, bias: Variable?, runningMean: inout Tensor,
    runningVar: inout Tensor, training: Bool, momentum: Float, eps: Float, residual: Variable?,
    relu: Bool
  ) throws -> Variable {
    let xv = x.value
    guard xv.rank == 2 || xv.rank == 4 else {
      throw TensorError.invalidShape("batchNorm: input \(xv.shape) must be [N, C] or [N, C, H, W]")
    }
    let (n, c) = (xv.shape[0], xv.shape[1])
    let s = xv.rank == 4 ? xv.shape[2] * xv.shape[3] : 1
    for (label, t) in [("weight", weight?.value), ("bias", bias?.value)] {
      if let t, t.shape != [c] {
        throw TensorError.shapeMismatch("batchNorm: \(label) \(t.shape) for \(c) channels")
      }
    }
    guard runningMean.shape == [c], runningVar.shape == [c] else {
      throw TensorError.shapeMismatch(
        "batchNorm: running stats \(runningMean.shape), \(runningVar.shape) for \(c) channels")
    }
    if let residual, residual.shape != xv.shape {
      throw TensorError.shapeMismatch("batchNorm: residual \(residual.shape) for input \(xv.shape)")
    }
    let m = n * s
    if training && m <= 1 {
      throw TensorError.invalidShape(
        "batchNorm: training needs more than 1 value per channel, input \(xv.shape)")
    }
    var mean = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    if training {
      xv.withPointer { BatchNormKernels.statistics($0, n: n, c: c, s: s, mean: &mean, variance: &variance) }
      let unbias = Float(m) / Float(m - 1)
      for i in 0..<c {
        runningMean.storage[i] = (1 - momentum) * runningMean.storage[i] + momentum * mean[i]
        runningVar.storage[i] =
          (1 - momentum) * runningVar.storage[i] + momentum * variance[i] * unbias
      }
    } else {
      mean = runningMean.storage
      variance = runningVar.storage
    }
    let w = weight?.value.storage ?? [Float](repeating: 1, count: c)
    let bsh = bias?.value.storage ?? [Float](repeating: 0, count: c)
    let invstd = variance.map { 1 / ($0 + eps).squareRoot() }
    let scale = (0..<c).map { w[$0] * invstd[$0] }
    let shift = (0..<c).map { bsh[$0] - mean[$0] * scale[$0] }
    let y = xv.withPointer { xp in
      Tensor.build(shape: xv.shape) { yp in
        if let rv = residual?.value {
          rv.withPointer {
            BatchNormKernels.scaleShift(
              xp, n: n, c: c, s: s, scale: scale, shift: shift, residual: $0, relu: relu, yp)
          }
        } else {
          BatchNormKernels.scaleShift(
            xp, n: n, c: c, s: s, scale: scale, shift: shift, relu: relu, yp)
        }
      }
    }
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    if let residual { inputs.append(residual) }
    let hasWeight = weight != nil
    let hasResidual = residual != nil
    let frozenMean = mean
    let name = relu ? (residual == nil ? "batchNormReLU" : "batchNormAddReLU")
      : (residual == nil ? "batchNorm" : "batchNormAdd")
    return record(name, y, inputs) { gOut, needs in
      // The gradient through the ReLU (where y > 0), shared by the residual and batch norm,
      // built in the same pass as batch norm's sums.
      var sumG = [Float](repeating: 0, count: c)
      var sumGX = [Float](repeating: 0, count: c)
      let g = gOut.withPointer { gp in
        xv.withPointer { xp in
          if !relu {
            BatchNormKernels.gradientSums(
              gp, xp, n: n, c: c, s: s, mean: frozenMean, sumG: &sumG, sumGX: &sumGX)
            return gOut
          }
          return y.withPointer { yp in
            Tensor.build(shape: y.shape) {
              BatchNormKernels.reluGradientSums(
                gp, y: yp, xp, n: n, c: c, s: s, mean: frozenMean, gMasked: $0, sumG: &sumG,
                sumGX: &sumGX)
            }
          }
        }
      }
      var out: [Tensor?] = []
      if needs[0] {
        var a = scale
        var bc = [Float](repeating: 0, count: c)
        var d = [Float](repeating: 0, count: c)
        if training {
          let inv = 1 / Float(m)
          for i in 0..<c {
            bc[i] = -w[i] * invstd[i] * invstd[i] * invstd[i] * sumGX[i] * inv
            d[i] = -a[i] * sumG[i] * inv - bc[i] * frozenMean[i]
          }
        }
        a = scale
        out.append(
          g.withPointer { gp in
            xv.withPointer { xp in
              Tensor.build(shape: xv.shape) {
                BatchNormKernels.affineGradient(gp, xp, n: n, c: c, s: s, a: a, b: bc, d: d, $0)
              }
            }
          })
      } else {
        out.append(nil)
      }
      var k = 1
      if hasWeight {
        out.append(needs[k] ? Tensor(shape: [c], storage: (0..<c).map { sumGX[$0] * invstd[$0] }) : nil)
        k += 1
      }
      if bias != nil {
        out.append(needs[k] ? Tensor(shape: [c], storage: sumG) : nil)
      }
      if hasResidual { out.append(needs[needs.count - 1] ? g : nil) }
      return out
    }
  }

  /// Checks a convolution's shapes (input [N, C, H, W], weight [O, C, kh, kw], bias [O]) and
  /// returns its geometry.
  static func conv2dGeometry(
    _ xs: [Int], _ ws: [Int], bias: [Int]?, stride: Int, padding: Int
  ) throws -> Conv2dShape {
    guard xs.count == 4, ws.count == 4 else {
      throw TensorError.invalidShape("conv2d: input \(xs) and weight \(ws) must be 4-D")
    }
    guard xs[1] == ws[1] else {
      throw TensorError.shapeMismatch(
        "conv2d: input \(xs) has \(xs[1]) channels, weight \(ws) expects \(ws[1])")
    }
    guard stride >= 1, padding >= 0 else {
      throw TensorError.invalidArgument("conv2d: stride \(stride) and padding \(padding)")
    }
    if let bias, bias != [ws[0]] {
      throw TensorError.shapeMismatch("conv2d: bias \(bias) for weight \(ws)")
    }
    // Paddings beyond any tensor's extent are refused before `2 * padding` could overflow.
    guard padding <= Tensor.maxElementCount else {
      throw TensorError.invalidArgument("conv2d: padding \(padding) is larger than any image")
    }
    guard xs[2] + 2 * padding >= ws[2], xs[3] + 2 * padding >= ws[3], ws[2] > 0, ws[3] > 0 else {
      throw TensorError.shapeMismatch(
        "conv2d: kernel \(ws[2])×\(ws[3]) larger than padded input \(xs)")
    }
    // The output, and the columns of one image when the convolution is lowered to a GEMM.
    let outH = (xs[2] + 2 * padding - ws[2]) / stride + 1
    let outW = (xs[3] + 2 * padding - ws[3]) / stride + 1
    try Tensor.validate(shape: [xs[0], ws[0], outH, outW])
    try Tensor.validate(shape: [xs[1], ws[2], ws[3], outH, outW])
    return Conv2dShape(
      batch: xs[0], inChannels: xs[1], height: xs[2], width: xs[3], outChannels: ws[0],
      kernelH: ws[2], kernelW: ws[3], stride: stride, padding: padding)
  }
}

extension Optional where Wrapped == Tensor {
  /// Calls `body` with a mutable pointer to the wrapped tensor's elements, or nil.
  mutating func withOptionalPointer<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if self == nil { return body(nil) }
    return self!.withMutablePointer { body($0) }
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
