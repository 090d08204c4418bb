import LetheKernels

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Softmax and log-softmax along an axis, and the two losses over probabilities with rules of
/// their own (negative log-likelihood, KL divergence).
extension Primitives {
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
}
