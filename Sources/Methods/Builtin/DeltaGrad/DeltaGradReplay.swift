import Core
import Foundation

/// DeltaGrad's update (Wu, Dobriban & Davidson, 2020; reference: wuyinjun-1993/DeltaGrad,
/// `main_delete.py` / `model_update_provenance_test3`): replays a cached SGD trajectory without
/// the removed samples. Step t uses batch B_t minus x* and M0's learning rate; its gradient is
/// - exact (the first j0 steps and every T0-th after): the mean gradient over B_t \ x* at the
///   current w; the full-batch gradient at w also gives the pair (s, y) = (w − w_t,
///   ḡ_B(w) − g_t + wd·s) for the L-BFGS memory (the m newest pairs);
/// - approximated otherwise: the full-batch regularised gradient at w is
///   g_t + wd·w_t + B·(w − w_t) with B the compact L-BFGS Hessian, from which the removed
///   samples' exact regularised gradients are subtracted (weighted by their count).
/// Updates go through Core's `SGD` with the trajectory's momentum and weight decay, so the
/// replay follows the recorded run's update rule exactly; with `exact`, every step is exact
/// (DeltaGrad's baseline: retraining along the same trajectory). A batch entirely in x* is
/// skipped, as in the reference.
struct DeltaGradReplay {
  /// The model whose parameters the trajectory holds (in `parameterVector` order).
  let module: Module
  /// The samples the batch positions index.
  let source: BatchSource
  let trajectory: DeltaGradTrajectory
  let momentum: Double
  let weightDecay: Double
  let j0: Int
  let t0: Int
  let history: Int
  let exact: Bool
  let shouldStop: () -> Bool

  /// What a replay did.
  struct Report {
    var exactSteps = 0
    var approximateSteps = 0
    var skippedSteps = 0
    var rejectedPairs = 0
  }

  /// Replays the trajectory without `forget`, leaving the result in `module`.
  func run(forget: Set<Int>) throws -> Report {
    let p = trajectory.parameterCount
    guard module.parameterCount == p else {
      throw MethodError.failed(method: "deltagrad", message: "the trajectory has \(p) parameters, the model \(module.parameterCount)")
    }
    try module.setParameterVector(Tensor(shape: [p], storage: try trajectory.initial()))
    let sgd = try SGD(
      parameters: module.parameters(), learningRate: 0, momentum: Float(momentum), weightDecay: Float(weightDecay))
    var memory = try LBFGSMemory(capacity: history)
    var report = Report()
    for t in 0..<trajectory.steps {
      if shouldStop() { throw TrainingInterrupted() }
      let batch = trajectory.batches[t]
      let removed = batch.filter { forget.contains($0) }
      let kept = removed.isEmpty ? batch : batch.filter { !forget.contains($0) }
      if kept.isEmpty {
        report.skippedSteps += 1
        continue
      }
      let w = module.parameterVector().storage.map(Double.init)
      let exactStep = exact || t < j0 || (t - j0) % t0 == 0
      var gradient: [Double]
      if exactStep {
        let keptSum = try gradientSum(kept)
        if !exact {
          let (wt, gt) = try trajectory.step(t)
          let removedSum = removed.isEmpty ? [Double](repeating: 0, count: p) : try gradientSum(removed)
          let b = Double(batch.count)
          var s = [Double](repeating: 0, count: p)
          var y = [Double](repeating: 0, count: p)
          for i in 0..<p {
            s[i] = w[i] - Double(wt[i])
            y[i] = (keptSum[i] + removedSum[i]) / b - Double(gt[i]) + weightDecay * s[i]
          }
          if s.contains(where: { $0 != 0 }), !(try memory.append(step: s, gradientChange: y)) {
            report.rejectedPairs += 1
          }
        }
        gradient = keptSum.map { $0 / Double(kept.count) }
        report.exactSteps += 1
      } else {
        let (wt, gt) = try trajectory.step(t)
        var delta = [Double](repeating: 0, count: p)
        for i in 0..<p { delta[i] = w[i] - Double(wt[i]) }
        let bv = try memory.hessianTimes(delta)
        let removedSum = removed.isEmpty ? [Double](repeating: 0, count: p) : try gradientSum(removed)
        let (b, r, k) = (Double(batch.count), Double(removed.count), Double(kept.count))
        gradient = [Double](repeating: 0, count: p)
        for i in 0..<p {
          let full = Double(gt[i]) + weightDecay * Double(wt[i]) + bv[i]
          let keptRegularised = (b * full - (removedSum[i] + r * weightDecay * w[i])) / k
          gradient[i] = keptRegularised - weightDecay * w[i]  // SGD adds wd·w itself
        }
        report.approximateSteps += 1
      }
      try setGradients(gradient)
      sgd.learningRate = Float(trajectory.learningRates[t])
      try sgd.step()
    }
    module.zeroGrad()
    return report
  }

  /// Σ_{i ∈ indices} ∇ℓ(x_i, y_i) at the module's parameters (chunks of 4,096).
  private func gradientSum(_ indices: [Int]) throws -> [Double] {
    var total = [Double](repeating: 0, count: trajectory.parameterCount)
    for chunk in SubsetLoss.chunks(indices, 4096) {
      let b = try source.batch(at: chunk)
      module.zeroGrad()
      let loss = try GradMode.withGrad {
        try Functional.crossEntropy(try module(Variable(b.inputs)), targets: b.labels) * Float(chunk.count)
      }
      try loss.backward()
      let g = module.gradientVector().storage
      for i in total.indices { total[i] += Double(g[i]) }
    }
    module.zeroGrad()
    return total
  }

  /// Sets every parameter's gradient from one flat vector.
  private func setGradients(_ flat: [Double]) throws {
    var offset = 0
    for p in module.parameters() {
      let n = p.value.count
      p.grad = Tensor(shape: p.value.shape, storage: flat[offset..<(offset + n)].map { Float($0) })
      offset += n
    }
  }
}
