import Core
import Foundation

/// LCODEC (Mehta et al., 2022, "Deep Unlearning via Mode Connectivity"/"LCODEC"): chooses which
/// parameter slices — a `Linear` unit's or a `Conv2d` channel's weight row and bias element — a
/// Newton-type unlearning step edits. CR and Sekhari use it; it is a component, not a method.
///
/// Procedure (LCODEC's `scrub_tools.inp_perturb` with `hypercolumn.ActivationsHook`):
/// 1. With the model in evaluation mode, perturb forget inputs `samples` times,
///    x + `noise`·N(0, 1), and record for each draw the loss and every slice's activation: a
///    `Linear` unit's output, a `Conv2d` channel's output averaged over its pixels.
/// 2. Select slices greedily with FOCI (Azadkia & Chatterjee's conditional dependence of the
///    loss on the activations), with FOCI's early stop, at most `maxSlices` of them.
///
/// The reference scrubs one forget sample per step (perturbing that sample 1,000 times); here
/// one selection serves the whole forget set: draw d perturbs forget sample d of a seeded
/// permutation of x* (cycling when x* has fewer samples than draws), so the loss varies with
/// both the noise and the forget sample, and FOCI picks the slices that carry x*'s loss.
public struct LCODEC: Sendable {
  /// Perturbation draws (the reference's `n_perturbations`, 1,000).
  public var samples: Int
  /// Standard deviation of the Gaussian input noise (the reference's 0.1).
  public var noise: Double
  /// The most slices to select; 0: as many as FOCI selects before its early stop (the
  /// reference's `full` FOCI).
  public var maxSlices: Int

  /// The reference's defaults.
  public static let defaults = LCODEC(samples: 1000, noise: 0.1, maxSlices: 0)

  /// A selector.
  public init(samples: Int, noise: Double, maxSlices: Int) {
    self.samples = samples
    self.noise = noise
    self.maxSlices = maxSlices
  }

  /// The option specs CR and Sekhari declare for LCODEC, with the reference's defaults.
  public static let optionSpecs: [OptionSpec] = [
    OptionSpec(
      "lcodec_samples", .integer, default: .number(Double(defaults.samples)),
      doc: "LCODEC perturbation draws of forget inputs"),
    OptionSpec(
      "lcodec_noise", .number, default: .number(defaults.noise), doc: "LCODEC input-noise standard deviation"),
    OptionSpec(
      "lcodec_max_slices", .integer, default: .number(Double(defaults.maxSlices)),
      doc: "most slices LCODEC selects (0: FOCI's early stop decides)"),
  ]

  /// The selector the options describe; throws naming an option out of range.
  public static func from(_ options: MethodOptions, owner: String) throws -> LCODEC {
    let l = LCODEC(
      samples: try options.integer("lcodec_samples"), noise: try options.number("lcodec_noise"),
      maxSlices: try options.integer("lcodec_max_slices"))
    guard l.samples >= 2, l.samples <= ConditionalDependence.maximumSamples else {
      throw MethodError.invalidOption(
        owner: owner, option: "lcodec_samples",
        message: "must be in 2...\(ConditionalDependence.maximumSamples), got \(l.samples)")
    }
    guard l.noise > 0, l.noise.isFinite else {
      throw MethodError.invalidOption(owner: owner, option: "lcodec_noise", message: "must be > 0")
    }
    guard l.maxSlices >= 0 else {
      throw MethodError.invalidOption(owner: owner, option: "lcodec_max_slices", message: "must be ≥ 0")
    }
    return l
  }

  /// What a selection found.
  public struct Selection: Sendable {
    /// The chosen slices, in FOCI's order.
    public var slices: [ParameterSlice]
    /// FOCI's score of each chosen slice when it was chosen.
    public var scores: [Double]
    /// How many slices were candidates.
    public var candidates: Int
  }

  /// Selects slices of `model` for forget samples `inputs` (`[m, ...]`) with `labels`. The
  /// model is left as it was (values, modes, gradients).
  public func select(model: Module, inputs: Tensor, labels: [Int], seed: UInt64) throws -> Selection {
    let m = labels.count
    guard m > 0, inputs.shape.first == m else {
      throw MethodError.failed(method: "lcodec", message: "no forget samples to perturb")
    }
    let layers = model.namedModules().filter { $0.1 is Linear || $0.1 is Conv2d }
    guard !layers.isEmpty else {
      throw MethodError.failed(method: "lcodec", message: "the model has no Linear or Conv2d layer to select slices from")
    }
    let widths = layers.map { ParameterSlice.sliceableOutputs($0.1) ?? 0 }
    let offsets = widths.reduce(into: [0]) { $0.append($0.last! + $1) }
    let p = offsets.last!
    let names = layers.map(\.0)
    let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

    var rng = RandomGenerator(seed: seed ^ 0x1C0D_EC)
    let order = rng.permutation(m)
    let sampleSize = inputs.count / m
    var features = [Double](repeating: 0, count: samples * p)
    var losses = [Double](repeating: 0, count: samples)
    let chunk = 256
    var start = 0
    try model.inEvaluationMode {
      try GradMode.withoutGrad {
        while start < samples {
          let end = Swift.min(start + chunk, samples)
          var x = [Float](repeating: 0, count: (end - start) * sampleSize)
          var y = [Int](repeating: 0, count: end - start)
          for d in start..<end {
            let s = order[d % m]
            y[d - start] = labels[s]
            let base = (d - start) * sampleSize
            for j in 0..<sampleSize {
              x[base + j] = inputs.storage[s * sampleSize + j] + Float(noise) * rng.nextNormal()
            }
          }
          let batch = Tensor(shape: [end - start] + Array(inputs.shape.dropFirst()), storage: x)
          let rowBase = start
          let logits = try model.observingForward(of: names, { name, _, output in
            guard let l = column[name] else { return }
            try Self.record(output.value, into: &features, rows: rowBase, width: p, offset: offsets[l], units: widths[l])
          }, during: { try model(Variable(batch)) })
          let logProbs = try logits.value.logSoftmaxRows()
          let k = logits.shape.last ?? 1
          for (i, label) in y.enumerated() { losses[rowBase + i] = -Double(logProbs[i * k + label]) }
          start = end
        }
      }
    }
    let matrix = try DenseMatrix(rows: samples, columns: p, storage: features)
    let result: FOCI.Result
    do {
      result = try FOCI.select(
        y: losses, features: matrix, maxSelected: maxSlices > 0 ? maxSlices : nil, seed: seed)
    } catch {
      throw MethodError.failed(method: "lcodec", message: "FOCI: \(error)")
    }
    let slices = result.selected.map { index -> ParameterSlice in
      let l = offsets.lastIndex(where: { $0 <= index })!
      return ParameterSlice(layer: names[l], unit: index - offsets[l])
    }
    return Selection(slices: slices, scores: result.scores, candidates: p)
  }

  /// Writes one layer's per-sample slice activations (a Linear's outputs, a Conv2d's channel
  /// means over pixels) into rows `rows...` of the draws × slices table.
  static func record(
    _ output: Tensor, into features: inout [Double], rows: Int, width: Int, offset: Int, units: Int
  ) throws {
    let b = output.shape.first ?? 0
    guard b > 0, output.count % (b * units) == 0 else {
      throw MethodError.failed(method: "lcodec", message: "a layer output of shape \(output.shape) for \(units) units")
    }
    let pixels = output.count / (b * units)
    output.storage.withUnsafeBufferPointer { o in
      for i in 0..<b {
        for u in 0..<units {
          var s = 0.0
          let base = (i * units + u) * pixels
          for q in 0..<pixels { s += Double(o[base + q]) }
          features[(rows + i) * width + offset + u] = s / Double(pixels)
        }
      }
    }
  }
}

extension Tensor {
  /// Row-wise log-softmax of a `[n, k]` tensor, in Float64 (flattened row-major).
  func logSoftmaxRows() throws -> [Double] {
    guard rank == 2 else { throw TensorError.invalidShape("log-softmax rows of a tensor of shape \(shape)") }
    let (n, k) = (shape[0], shape[1])
    var out = [Double](repeating: 0, count: n * k)
    for i in 0..<n {
      var mx = -Double.infinity
      for j in 0..<k { mx = Swift.max(mx, Double(storage[i * k + j])) }
      var s = 0.0
      for j in 0..<k { s += Foundation.exp(Double(storage[i * k + j]) - mx) }
      let lse = mx + Foundation.log(s)
      for j in 0..<k { out[i * k + j] = Double(storage[i * k + j]) - lse }
    }
    return out
  }
}
