import LetheKernels

/// One batch-norm computation, shared by the plain primitive (`Primitives.batchNorm`) and the
/// fused one (`Primitives.fusedBatchNorm`): the checks, the statistics (updating the running
/// ones when training), the output and the gradients.
struct BatchNormPass {
  let x: Tensor
  /// Batch, channels, positions per channel and sample.
  let n: Int, c: Int, s: Int
  let training: Bool
  /// The mean normalised with (batch or running), and 1/√(variance + eps).
  let mean: [Float], invstd: [Float]
  /// γ (ones without a weight), and the per-channel y = x·scale + shift of the forward.
  let weight: [Float], scale: [Float], shift: [Float]

  /// Checks the shapes (`residualShape`: the fused primitive's residual, if any) and computes
  /// the statistics: the batch's when training (then also updating the running statistics
  /// with `momentum` and the unbiased variance), else the running ones.
  init(
    x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: inout Tensor, runningVar: inout Tensor,
    training: Bool, momentum: Float, eps: Float, residualShape: [Int]? = nil
  ) throws {
    guard x.rank == 2 || x.rank == 4 else {
      throw TensorError.invalidShape("batchNorm: input \(x.shape) must be [N, C] or [N, C, H, W]")
    }
    let (n, c) = (x.shape[0], x.shape[1])
    let s = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    for (label, t) in [("weight", weight), ("bias", bias)] {
      if let t, t.shape != [c] {
        throw TensorError.shapeMismatch("batchNorm: \(label) \(t.shape) for \(c) channels")
      }
    }
    guard runningMean.shape == [c], runningVar.shape == [c] else {
      throw TensorError.shapeMismatch(
        "batchNorm: running stats \(runningMean.shape), \(runningVar.shape) for \(c) channels")
    }
    if let residualShape, residualShape != x.shape {
      throw TensorError.shapeMismatch("batchNorm: residual \(residualShape) for input \(x.shape)")
    }
    let m = n * s
    if training && m <= 1 {
      throw TensorError.invalidShape(
        "batchNorm: training needs more than 1 value per channel, input \(x.shape)")
    }
    var mean = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    if training {
      x.withPointer { BatchNormKernels.statistics($0, n: n, c: c, s: s, mean: &mean, variance: &variance) }
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
    let w = weight?.storage ?? [Float](repeating: 1, count: c)
    let bsh = bias?.storage ?? [Float](repeating: 0, count: c)
    let invstd = variance.map { 1 / ($0 + eps).squareRoot() }
    let scale = (0..<c).map { w[$0] * invstd[$0] }
    self.x = x
    (self.n, self.c, self.s) = (n, c, s)
    self.training = training
    self.mean = mean
    self.invstd = invstd
    self.weight = w
    self.scale = scale
    shift = (0..<c).map { bsh[$0] - mean[$0] * scale[$0] }
  }

  /// batchNorm(x) + residual (when given), then max(·, 0) when `relu`, in one pass.
  func output(residual: Tensor? = nil, relu: Bool = false) -> Tensor {
    x.withPointer { xp in
      Tensor.build(shape: x.shape) { yp in
        if let residual {
          residual.withPointer {
            BatchNormKernels.scaleShift(
              xp, n: n, c: c, s: s, scale: scale, shift: shift, residual: $0, relu: relu, yp)
          }
        } else {
          BatchNormKernels.scaleShift(xp, n: n, c: c, s: s, scale: scale, shift: shift, relu: relu, yp)
        }
      }
    }
  }

  /// The gradients for inputs (x[, weight][, bias][, residual]) as `needs` lists them, from
  /// the output gradient `gOut`; with `reluOutput` (the fused output y), the gradient is first
  /// masked to where y > 0, in the same pass as batch norm's sums, and that masked gradient is
  /// also the residual's.
  func gradients(
    _ gOut: Tensor, reluOutput y: Tensor?, needs: [Bool], hasWeight: Bool, hasBias: Bool,
    hasResidual: Bool
  ) -> [Tensor?] {
    var sumG = [Float](repeating: 0, count: c)
    var sumGX = [Float](repeating: 0, count: c)
    let g = gOut.withPointer { gp in
      x.withPointer { xp in
        guard let y else {
          BatchNormKernels.gradientSums(gp, xp, n: n, c: c, s: s, mean: mean, sumG: &sumG, sumGX: &sumGX)
          return gOut
        }
        return y.withPointer { yp in
          Tensor.build(shape: y.shape) {
            BatchNormKernels.reluGradientSums(
              gp, y: yp, xp, n: n, c: c, s: s, mean: mean, gMasked: $0, sumG: &sumG, sumGX: &sumGX)
          }
        }
      }
    }
    var out: [Tensor?] = []
    if needs[0] {
      // dx = a·g + b·x + d per channel; in eval mode the statistics are constants (b = d = 0).
      var b = [Float](repeating: 0, count: c)
      var d = [Float](repeating: 0, count: c)
      if training {
        let inv = 1 / Float(n * s)
        for i in 0..<c {
          b[i] = -weight[i] * invstd[i] * invstd[i] * invstd[i] * sumGX[i] * inv
          d[i] = -scale[i] * sumG[i] * inv - b[i] * mean[i]
        }
      }
      out.append(
        g.withPointer { gp in
          x.withPointer { xp in
            Tensor.build(shape: x.shape) {
              BatchNormKernels.affineGradient(gp, xp, n: n, c: c, s: s, a: scale, b: b, d: d, $0)
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
    if hasBias { out.append(needs[k] ? Tensor(shape: [c], storage: sumG) : nil) }
    if hasResidual { out.append(needs[needs.count - 1] ? g : nil) }
    return out
  }
}
