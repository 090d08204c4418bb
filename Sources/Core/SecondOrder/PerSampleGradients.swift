/// Gradients of each sample's loss over a parameter subset: a `[N, P]` Float32 tensor whose
/// row i is ∇_subset loss(model(x_i), y_i).
///
/// Two ways, chosen per call:
/// - **Batched** (when the model is a `Sequential` and every subset parameter belongs to a
///   `Linear` layer among its direct children, taking `[B, in]` inputs, with no batch norm in
///   training mode): one forward and one backward per chunk of samples. The gradient of the
///   summed loss with respect to each such layer's output y is, row by row, the per-sample
///   δ_i = ∂loss_i/∂y_i, so the weight rows are δ_i[r]·x_iᵀ and the bias elements δ_i[r]
///   (Goodfellow's trick; the per-sample gradients the certified-removal code computes).
/// - **Per sample** otherwise (convolution slices, other models): one backward per sample on
///   the subset's parameters only.
///
/// Either way, for a `Sequential` the layers before the first subset parameter run once per
/// chunk of samples without recording a graph. `loss` takes logits `[B, K]` and targets and
/// must be the batch mean of per-sample losses (as `Functional.crossEntropy`). Use the model
/// in evaluation mode (dropout would draw a different mask per call).
public enum PerSampleGradients {
  /// A batch loss: the mean over the batch of per-sample losses.
  public typealias Loss = (Variable, [Int]) throws -> Variable

  /// Which way `compute` takes.
  public enum Strategy: String, Sendable {
    /// One forward/backward per chunk (Linear-layer subsets of a Sequential).
    case batched
    /// One backward per sample.
    case perSample
  }

  /// Per-sample gradients of `loss` over `subset` for samples `inputs` (`[N, ...]`) with
  /// `targets` (N labels). `force` picks a strategy (`.batched` throws where it cannot apply);
  /// nil chooses the batched one where it applies.
  public static func compute(
    subset: ParameterSubset, inputs: Tensor, targets: [Int],
    loss: Loss = { try Functional.crossEntropy($0, targets: $1) }, chunkSize: Int = 256,
    force: Strategy? = nil
  ) throws -> Tensor {
    guard inputs.rank >= 1, inputs.shape[0] == targets.count, !targets.isEmpty else {
      throw SecondOrderError.dimensionMismatch(
        "inputs of shape \(inputs.shape) with \(targets.count) targets")
    }
    guard chunkSize > 0 else {
      throw SecondOrderError.invalidArgument("chunk size \(chunkSize) must be positive")
    }
    let plan = Plan(subset: subset)
    let strategy = force ?? (plan.linearLayers != nil ? .batched : .perSample)
    if strategy == .batched && plan.linearLayers == nil {
      throw SecondOrderError.invalidArgument(
        "batched per-sample gradients need a Sequential whose subset parameters are all in "
          + "Linear layers among its direct children (and no batch norm in training mode)")
    }
    let n = targets.count
    let p = subset.count
    var out = [Float](repeating: 0, count: n * p)
    // Recording on even inside a caller's `withoutGrad` region; the prefix turns it off.
    try GradMode.withGrad {
      try subset.withGradientsOnSubset {
        var start = 0
        while start < n {
          let end = Swift.min(start + chunkSize, n)
          let x = try inputs.sliced(axis: 0, start: start, end: end)
          let features = try GradMode.withoutGrad { try plan.runPrefix(x) }
          let chunkTargets = Array(targets[start..<end])
          let rows =
            strategy == .batched
            ? try plan.batched(features, chunkTargets, loss)
            : try plan.perSample(features, chunkTargets, loss)
          out.replaceSubrange((start * p)..<(end * p), with: rows)
          start = end
        }
      }
    }
    return Tensor(shape: [n, p], storage: out)
  }

  /// How a subset splits a model: the layers to run once without a graph, the rest.
  struct Plan {
    let subset: ParameterSubset
    let prefix: [Module]
    let suffix: [Module]
    /// For the batched way: per suffix position, whether it is a Linear holding subset pieces.
    let linearLayers: [Bool]?

    init(subset: ParameterSubset) {
      self.subset = subset
      let mine = Set(subset.pieces.map { ObjectIdentifier($0.parameter) })
      guard let seq = subset.model as? Sequential else {
        prefix = []
        suffix = [subset.model]
        linearLayers = nil
        return
      }
      let layers = seq.layers.map { $0.1 }
      let holds = layers.map { $0.parameters().contains { mine.contains(ObjectIdentifier($0)) } }
      let first = holds.firstIndex(of: true) ?? layers.count
      prefix = Array(layers[..<first])
      suffix = Array(layers[first...])
      let suffixHolds = Array(holds[first...])
      // Batched: every holding layer is a Linear; nothing couples the samples of a batch.
      let coupled = suffix.contains { layer in
        layer.namedModules().contains { ($0.1 as? BatchNorm2d)?.isTraining == true }
      }
      let allLinear = zip(suffix, suffixHolds).allSatisfy { layer, h in !h || layer is Linear }
      linearLayers = (allLinear && !coupled) ? suffixHolds : nil
    }

    func runPrefix(_ x: Tensor) throws -> Tensor {
      var v = Variable(x)
      for layer in prefix { v = try layer(v) }
      return v.value
    }

    /// One backward per sample over the suffix.
    func perSample(_ features: Tensor, _ targets: [Int], _ loss: Loss) throws -> [Float] {
      var rows: [Float] = []
      rows.reserveCapacity(targets.count * subset.count)
      for i in targets.indices {
        var v = Variable(try features.sliced(axis: 0, start: i, end: i + 1))
        for layer in suffix { v = try layer(v) }
        let l = try loss(v, [targets[i]])
        for piece in subset.pieces { piece.parameter.grad = nil }
        if l.requiresGrad { try l.backward() }
        rows.append(contentsOf: subset.gradients().map { Float($0) })
      }
      return rows
    }

    /// One forward/backward for the chunk; per-sample rows from each Linear's input and
    /// output gradient.
    func batched(_ features: Tensor, _ targets: [Int], _ loss: Loss) throws -> [Float] {
      guard let linearLayers else { return [] }
      var v = Variable(features)
      var captured: [ObjectIdentifier: (input: Tensor, output: Variable)] = [:]
      for (layer, holds) in zip(suffix, linearLayers) {
        let input = v
        v = try layer(v)
        if holds {
          guard input.value.rank == 2 else {
            throw SecondOrderError.invalidArgument(
              "batched per-sample gradients need [batch, features] inputs to \(layer.layerDescription), got \(input.shape)")
          }
          v.retainGrad()
          captured[ObjectIdentifier(layer)] = (input.value, v)
        }
      }
      let b = targets.count
      let total = try loss(v, targets) * Float(b)
      for piece in subset.pieces { piece.parameter.grad = nil }
      if total.requiresGrad { try total.backward() }
      // Per piece, [B, units·in] weight rows δ_i[r]·x_i or [B, units] bias elements δ_i[r],
      // by broadcasting products (the tensor kernels), then side by side.
      var blocks: [Tensor] = []
      for piece in subset.pieces {
        guard
          let layer = suffix.first(where: { layer in
            guard let l = layer as? Linear else { return false }
            return l.weight === piece.parameter || l.bias === piece.parameter
          }) as? Linear,
          let c = captured[ObjectIdentifier(layer)]
        else {
          throw SecondOrderError.invalidSubset("\(piece.name) is not in a captured Linear layer")
        }
        let delta = c.output.grad ?? Tensor.zeros(c.output.shape)
        let units = piece.rows ?? Array(0..<layer.outFeatures)
        let selected = try delta.indexSelect(axis: 1, indices: units)
        if layer.weight === piece.parameter {
          let outer = try selected.reshaped([b, units.count, 1]) * c.input.reshaped([b, 1, layer.inFeatures])
          blocks.append(try outer.reshaped([b, units.count * layer.inFeatures]))
        } else {
          blocks.append(selected)
        }
      }
      return try Tensor.concat(blocks, axis: 1).storage
    }
  }
}
