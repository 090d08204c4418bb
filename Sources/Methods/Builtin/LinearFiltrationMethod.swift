import Core
import Foundation

/// `linear_filtration` (Baumhauer et al., 2022, "Machine Unlearning: Linear Filtration for
/// Logit-based Classifiers"), label unlearning only: the last linear layer is multiplied by a
/// filtration matrix so that the forgotten classes' logits are redistributed.
///
/// A (K×K) holds in column i the mean logit vector of class i's samples; B is A without the
/// forgotten rows ((K−k)×K), its forgotten columns replaced according to `mode`:
/// - `normalization` (default): each forgotten column shifted so that its mean equals the mean
///   of the kept block B[:, kept];
/// - `zeroing`: set to 0; `randomization`: drawn from N(0, 1) (seeded);
/// - `naive`: F is the identity without the forgotten rows (the outputs are simply dropped).
/// F = B·A⁻¹, and the last layer's kept rows become F·W and F·b (Lethe's weights are [out, in];
/// the reference's TensorFlow kernel is [in, out], hence its W·Fᵀ). Reference:
/// th-b/linear_filtration, `filtration.py` (`filtration_matrix`, `make_filtered_model`).
///
/// The reference model has K − k outputs. Here the model keeps its K outputs so that runners,
/// checkpoints and metrics see the same architecture: each forgotten class's row becomes the
/// mean of the new kept rows with its bias lowered by 20, so its logit is at least 20 below the
/// largest kept logit — never the prediction, softmax mass below e⁻²⁰ — and the result declares
/// those classes removed, so every metric compares outputs on the kept classes (the survey's
/// convention for this method).
///
/// A is measured on `samples_per_class` training samples of each class (seeded; the reference's
/// notebooks use a whole evaluation split, or 10 or 100 samples per class).
public final class LinearFiltrationMethod: UnlearningMethod {
  /// How far below the largest kept logit a forgotten class's logit is held.
  public static let suppressionMargin: Float = 20

  /// Name, summary and options.
  public let descriptor = MethodDescriptor(
    name: "linear_filtration",
    summary: "Linear Filtration (Baumhauer et al. 2022): the last layer times B·A⁻¹ drops the forgotten classes",
    options: [
      OptionSpec(
        "mode", .string, default: .string("normalization"),
        doc: "forgotten columns of B: normalization, zeroing, randomization or naive"
      ).choosing(modes),
      OptionSpec(
        "samples_per_class", .integer, default: .number(100),
        doc: "training samples per class A's mean logits are measured on, seeded (0: all)"),
    ])

  static let modes = ["normalization", "zeroing", "randomization", "naive"]

  /// The method.
  public init() {}

  /// Label unlearning on one module whose logits come from a Linear layer.
  public func applicability(to request: ForgetRequest, model: Learner, options: MethodOptions) -> Applicability {
    guard request.forgottenClasses() != nil else {
      return .notApplicable(
        "Linear Filtration forgets whole classes (label unlearning); this forget set leaves samples of its classes in D \\ x* (sample unlearning)")
    }
    guard let m = model.singleModule, m.linearHead != nil else {
      return .notApplicable("Linear Filtration filters a last Linear layer of one module; this model has none")
    }
    return .applies
  }

  /// Filters the last layer.
  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    if let reason = applicability(to: context.request, model: context.model, options: context.options).reason {
      throw MethodError.notApplicable(method: "linear_filtration", reason: reason)
    }
    let mode = try context.options.string("mode")
    guard Self.modes.contains(mode) else {
      throw MethodError.invalidOption(
        owner: "linear_filtration", option: "mode", message: "must be one of \(Self.modes.joined(separator: ", ")), got '\(mode)'")
    }
    let perClass = try context.options.integer("samples_per_class")
    guard perClass >= 0 else {
      throw MethodError.invalidOption(owner: "linear_filtration", option: "samples_per_class", message: "must be ≥ 0")
    }
    let module = context.model.singleModule!
    let (headName, head) = module.linearHead!
    let request = context.request
    let k = context.model.classCount
    let forgotten = request.forgottenClasses()!
    guard head.outFeatures == k, forgotten.allSatisfy({ $0 < k }) else {
      throw MethodError.failed(
        method: "linear_filtration", message: "\(headName) has \(head.outFeatures) outputs for \(k) classes")
    }
    let kept = (0..<k).filter { !forgotten.contains($0) }
    var notes = ["mode": mode, "head": headName, "removed_classes": forgotten.map(String.init).joined(separator: ",")]

    let f: DenseMatrix
    if mode == "naive" {
      f = try DenseMatrix(rows: kept.count, columns: k, storage: kept.flatMap { r in (0..<k).map { $0 == r ? 1.0 : 0.0 } })
    } else {
      let a = try meanLogits(module: module, head: head, request: request, classes: k, perClass: perClass, seed: context.seed, notes: &notes)
      var b = try DenseMatrix(rows: kept.count, columns: k, storage: kept.flatMap { a.row($0) })
      Self.replaceColumns(&b, forgotten: forgotten, kept: kept, mode: mode, seed: context.seed)
      let lu: LUFactorization
      do {
        lu = try LUFactorization(a)
      } catch {
        throw MethodError.failed(method: "linear_filtration", message: "the mean-logit matrix A cannot be inverted: \(error)")
      }
      notes["a_reciprocal_condition"] = String(format: "%.3g", lu.reciprocalCondition)
      f = try b.times(lu.inverse())
    }
    try filter(head, f: f, kept: kept, forgotten: forgotten)
    return UnlearningResult(model: context.model, notes: notes, removedClasses: forgotten)
  }

  /// A: column c is the mean logit vector of class c's samples (the head's outputs, checked to
  /// be the model's logits).
  private func meanLogits(
    module: Module, head: Linear, request: ForgetRequest, classes k: Int, perClass: Int, seed: UInt64,
    notes: inout [String: String]
  ) throws -> DenseMatrix {
    var byClass = [[Int]](repeating: [], count: k)
    for i in 0..<request.train.sampleCount { byClass[request.train.label(at: i)].append(i) }
    var rng = RandomGenerator(seed: seed ^ 0x1F17)
    let chosen = byClass.map { members -> [Int] in
      guard perClass > 0, members.count > perClass else { return members }
      return rng.permutation(members.count).prefix(perClass).map { members[$0] }.sorted()
    }
    if let empty = chosen.firstIndex(where: { $0.isEmpty }) {
      throw MethodError.failed(method: "linear_filtration", message: "class \(empty) has no training sample to measure A on")
    }
    let order = chosen.flatMap { $0 }
    let logits = try Evaluation.logits(of: module, on: request.train, indices: order, batchSize: Evaluation.learnerBatchSize)
    guard logits.shape == [order.count, k] else {
      throw MethodError.failed(method: "linear_filtration", message: "the model's logits have shape \(logits.shape)")
    }
    // The head must produce the logits: its output on the first sample equals the model's.
    let probe = try request.train.batch(at: [order[0]]).inputs
    var headOutput: Tensor?
    let output = try module.observingForward(
      of: [module.linearHead!.name], { _, _, out in headOutput = out.value },
      during: { try module.logits(inputs: probe) })
    guard let headOutput, headOutput == output else {
      throw MethodError.failed(
        method: "linear_filtration", message: "the model's logits are not its last Linear layer's outputs")
    }
    var a = try DenseMatrix(rows: k, columns: k)
    var start = 0
    for c in 0..<k {
      let count = chosen[c].count
      for r in 0..<count {
        for j in 0..<k { a[j, c] += Double(logits.storage[(start + r) * k + j]) / Double(count) }
      }
      start += count
    }
    notes["samples"] = "\(order.count) training samples (\(perClass > 0 ? "≤ \(perClass)" : "all") per class)"
    return a
  }

  /// Replaces B's forgotten columns as `mode` says (the reference's `filtration_matrix`).
  static func replaceColumns(_ b: inout DenseMatrix, forgotten: [Int], kept: [Int], mode: String, seed: UInt64) {
    let rows = b.rows
    switch mode {
    case "normalization":
      var target = 0.0
      for r in 0..<rows { for c in kept { target += b[r, c] } }
      target /= Double(rows * kept.count)
      for f in forgotten {
        let mean = (0..<rows).reduce(0) { $0 + b[$1, f] } / Double(rows)
        for r in 0..<rows { b[r, f] += target - mean }
      }
    case "zeroing":
      for f in forgotten { for r in 0..<rows { b[r, f] = 0 } }
    case "randomization":
      var rng = RandomGenerator(seed: seed ^ 0x2A4D)
      for f in forgotten { for r in 0..<rows { b[r, f] = Double(rng.nextNormal()) } }
    default:
      break
    }
  }

  /// The head's kept rows become F·W and F·b; each forgotten row the mean of the new kept rows
  /// with its bias lowered by `suppressionMargin`.
  private func filter(_ head: Linear, f: DenseMatrix, kept: [Int], forgotten: [Int]) throws {
    guard head.bias != nil else {
      throw MethodError.failed(
        method: "linear_filtration", message: "the last Linear layer has no bias to hold the forgotten classes down")
    }
    let inputs = head.inFeatures
    let w = head.weight.value.storage
    let b = head.bias?.value.storage
    let k = head.outFeatures
    var newW = w
    var newB = b
    for (r, row) in kept.enumerated() {
      for i in 0..<inputs {
        var s = 0.0
        for j in 0..<k { s += f[r, j] * Double(w[j * inputs + i]) }
        newW[row * inputs + i] = Float(s)
      }
      if let b {
        var s = 0.0
        for j in 0..<k { s += f[r, j] * Double(b[j]) }
        newB![row] = Float(s)
      }
    }
    for row in forgotten {
      for i in 0..<inputs {
        newW[row * inputs + i] = kept.reduce(0) { $0 + newW[$1 * inputs + i] } / Float(kept.count)
      }
      if newB != nil {
        newB![row] = kept.reduce(0) { $0 + newB![$1] } / Float(kept.count) - Self.suppressionMargin
      }
    }
    head.weight.value = Tensor(shape: head.weight.value.shape, storage: newW)
    if let bias = head.bias, let newB { bias.value = Tensor(shape: bias.value.shape, storage: newB) }
  }
}
