import Core
import Foundation

/// LCODEC (Mehta et al., 2022, "Deep Unlearning using Conditional Dependence"): chooses which
/// parameter slices — a `Linear` unit's or a `Conv2d` channel's weight row and bias element — a
/// Newton-type unlearning step edits. CR and Sekhari use it; it is a component, not a method.
///
/// Procedure (LCODEC's `scrub_tools.inp_perturb` with `hypercolumn.ActivationsHook`), for one
/// forget sample x:
/// 1. With the model in evaluation mode, perturb x `samples` times, x + `noise`·N(0, 1), and
///    record for each draw the loss and every slice's activation: a `Linear` unit's output, a
///    `Conv2d` channel's output averaged over its pixels.
/// 2. Select slices greedily with FOCI (Azadkia & Chatterjee's conditional dependence of the
///    loss on the activations), with FOCI's early stop, at most `maxSlices` of them.
///
/// The reference selects slices for each removed sample in turn (and makes one Newton step per
/// sample); Lethe removes x* in one Newton step, so LCODEC examines `points` forget samples
/// (seeded) and takes the union of their selections, in order of first choice. Pooling the
/// draws of different samples into one FOCI run would not do: the loss would then vary with
/// which sample (and label) was drawn, which every slice's activation reveals.
public struct LCODEC: Sendable {
  /// Perturbation draws per examined sample (the reference's `n_perturbations`, 1,000).
  public var samples: Int
  /// Standard deviation of the Gaussian input noise (the reference's 0.1).
  public var noise: Double
  /// The most slices to select in all; 0: as many as FOCI selects before its early stop (the
  /// reference's `full` FOCI).
  public var maxSlices: Int
  /// Forget samples examined (the reference examines each removed sample).
  public var points: Int

  /// The defaults: the reference's draws, noise and FOCI, over 2 forget samples.
  public static let defaults = LCODEC(samples: 1000, noise: 0.1, maxSlices: 0, points: 2)

  /// A selector.
  public init(samples: Int, noise: Double, maxSlices: Int, points: Int = 1) {
    self.samples = samples
    self.noise = noise
    self.maxSlices = maxSlices
    self.points = points
  }

  /// The option specs CR and Sekhari declare for LCODEC, with the defaults.
  public static let optionSpecs: [OptionSpec] = [
    OptionSpec(
      "lcodec_samples", .integer, default: .number(Double(defaults.samples)),
      doc: "LCODEC perturbation draws per examined forget sample"),
    OptionSpec(
      "lcodec_noise", .number, default: .number(defaults.noise), doc: "LCODEC input-noise standard deviation"),
    OptionSpec(
      "lcodec_max_slices", .integer, default: .number(Double(defaults.maxSlices)),
      doc: "most slices LCODEC selects (0: FOCI's early stop decides)"),
    OptionSpec(
      "lcodec_points", .integer, default: .number(Double(defaults.points)),
      doc: "forget samples LCODEC examines; the selection is the union of theirs"),
  ]

  /// The selector the options describe; throws naming an option out of range.
  public static func from(_ options: MethodOptions, owner: String) throws -> LCODEC {
    let l = LCODEC(
      samples: try options.integer("lcodec_samples"), noise: try options.number("lcodec_noise"),
      maxSlices: try options.integer("lcodec_max_slices"), points: try options.integer("lcodec_points"))
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
    guard l.points > 0 else {
      throw MethodError.invalidOption(owner: owner, option: "lcodec_points", message: "must be > 0")
    }
    return l
  }

  /// What a selection found.
  public struct Selection: Sendable {
    /// The chosen slices, in order of first choice.
    public var slices: [ParameterSlice]
    /// FOCI's score of each chosen slice when it was first chosen.
    public var scores: [Double]
    /// How many slices were candidates.
    public var candidates: Int
    /// How many forget samples were examined.
    public var points: Int
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
    let sampleSize = inputs.count / m
    let sampleShape = Array(inputs.shape.dropFirst())

    var rng = RandomGenerator(seed: seed ^ 0x1C0D_EC)
    let chosen = rng.permutation(m).prefix(points)
    var slices: [ParameterSlice] = []
    var scores: [Double] = []
    for s in chosen {
      var features = [Double](repeating: 0, count: samples * p)
      var losses = [Double](repeating: 0, count: samples)
      let x = inputs.storage[(s * sampleSize)..<((s + 1) * sampleSize)]
      let chunk = 256
      try model.inEvaluationMode {
        try GradMode.withoutGrad {
          for start in stride(from: 0, to: samples, by: chunk) {
            let rows = Swift.min(chunk, samples - start)
            var batch = [Float](repeating: 0, count: rows * sampleSize)
            for r in 0..<rows {
              for (j, v) in x.enumerated() { batch[r * sampleSize + j] = v + Float(noise) * rng.nextNormal() }
            }
            let logits = try model.observingForward(
              of: names, { name, _, output in
                guard let l = column[name] else { return }
                try Self.record(
                  output.value, into: &features, rows: start, width: p, offset: offsets[l], units: widths[l])
              }, during: { try model(Variable(Tensor(shape: [rows] + sampleShape, storage: batch))) })
            let logProbs = try logits.value.logSoftmaxRows()
            let k = logits.shape.last ?? 1
            for r in 0..<rows { losses[start + r] = -logProbs[r * k + labels[s]] }
          }
        }
      }
      let result: FOCI.Result
      do {
        result = try FOCI.select(
          y: losses, features: try DenseMatrix(rows: samples, columns: p, storage: features),
          maxSelected: maxSlices > 0 ? maxSlices : nil, seed: seed &+ UInt64(s))
      } catch {
        throw MethodError.failed(method: "lcodec", message: "FOCI: \(error)")
      }
      for (index, score) in zip(result.selected, result.scores) {
        let l = offsets.lastIndex(where: { $0 <= index })!
        let slice = ParameterSlice(layer: names[l], unit: index - offsets[l])
        if !slices.contains(slice) && (maxSlices == 0 || slices.count < maxSlices) {
          slices.append(slice)
          scores.append(score)
        }
      }
    }
    return Selection(slices: slices, scores: scores, candidates: p, points: chosen.count)
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
