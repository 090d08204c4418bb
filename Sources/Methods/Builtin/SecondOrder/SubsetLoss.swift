import Core
import Foundation

/// The cross-entropy of a module over samples of a source as a function of a parameter subset:
/// the gradients and curvature CR's and Sekhari's Newton steps need.
///
/// Everything is in evaluation mode (dropout off, batch norm on its running statistics), so that
/// every evaluation of the loss is the same function of the parameters — LCODEC's reference
/// likewise freezes batch norm for its Hessians. Samples are read in chunks.
struct SubsetLoss {
  /// The module whose parameters the subset names.
  let module: Module
  /// The coordinates.
  let subset: ParameterSubset
  /// Where samples are read from.
  let source: BatchSource
  /// Samples per forward pass.
  var chunkSize = 256

  /// Σ_{i ∈ indices} ∇ℓ(x_i, y_i) over the subset (summed cross-entropy).
  func gradientSum(_ indices: [Int]) throws -> [Double] {
    var total = [Double](repeating: 0, count: subset.count)
    try module.inEvaluationMode {
      for chunk in Self.chunks(indices, chunkSize) {
        let b = try source.batch(at: chunk)
        let objective = SubsetObjective(subset: subset) {
          try Functional.crossEntropy(try module(Variable(b.inputs)), targets: b.labels) * Float(chunk.count)
        }
        let g = try objective.gradient()
        for i in total.indices { total[i] += g[i] }
      }
    }
    return total
  }

  /// Rows whose Gram matrix is the summed Gauss–Newton matrix Σ_i J_iᵀ(diag p_i − p_i p_iᵀ)J_i
  /// of the samples at `indices`: for each sample i and class k the row √p_k(x_i)·∇ℓ(x_i, k)
  /// (since diag p − ppᵀ = Σ_k p_k (e_k − p)(e_k − p)ᵀ and ∇ℓ(x, k) = Jᵀ(p − e_k)). For a
  /// model linear in the subset (logistic regression) that is the Hessian exactly; otherwise it
  /// is the Hessian's positive semi-definite part. Rows with p_k(x_i) < 1e-10 add less than
  /// 1e-10·‖∇ℓ‖² and are left out. Returns `[rows, subset.count]`.
  func gaussNewtonRows(_ indices: [Int]) throws -> Tensor {
    var rows: [Float] = []
    var count = 0
    let p = subset.count
    try module.inEvaluationMode {
      for chunk in Self.chunks(indices, chunkSize) {
        let b = try source.batch(at: chunk)
        let logits = try GradMode.withoutGrad { try module(Variable(b.inputs)).value }
        let k = logits.shape.last ?? 0
        let logProbs = try logits.logSoftmaxRows()
        for c in 0..<k {
          let keep = chunk.indices.filter { logProbs[$0 * k + c] >= -23 }  // p ≥ 1e-10
          guard !keep.isEmpty else { continue }
          let inputs = try b.inputs.indexSelect(axis: 0, indices: keep)
          let g = try PerSampleGradients.compute(
            subset: subset, inputs: inputs, targets: [Int](repeating: c, count: keep.count), chunkSize: chunkSize)
          for (r, i) in keep.enumerated() {
            let w = Float(Foundation.exp(0.5 * logProbs[i * k + c]))
            rows.append(contentsOf: g.storage[(r * p)..<((r + 1) * p)].map { $0 * w })
          }
          count += keep.count
        }
      }
    }
    return Tensor(shape: [count, p], storage: rows)
  }

  /// The positions of the subset's coordinates in the module's flat parameter vector
  /// (`Module.parameterVector()` order), in the subset's order.
  func flatIndices() throws -> [Int] {
    var offsets: [ObjectIdentifier: Int] = [:]
    var offset = 0
    for (_, p) in module.namedParameters() {
      offsets[ObjectIdentifier(p)] = offset
      offset += p.value.count
    }
    var out: [Int] = []
    out.reserveCapacity(subset.count)
    for piece in subset.pieces {
      guard let base = offsets[ObjectIdentifier(piece.parameter)] else {
        throw MethodError.failed(method: "subset", message: "\(piece.name) is not a parameter of the module")
      }
      if let rows = piece.rows {
        for r in rows { out.append(contentsOf: (base + r * piece.rowLength)..<(base + (r + 1) * piece.rowLength)) }
      } else {
        out.append(contentsOf: base..<(base + piece.count))
      }
    }
    return out
  }

  /// `indices` cut into consecutive chunks of at most `size`.
  static func chunks(_ indices: [Int], _ size: Int) -> [[Int]] {
    stride(from: 0, to: indices.count, by: size).map { Array(indices[$0..<Swift.min($0 + size, indices.count)]) }
  }
}
