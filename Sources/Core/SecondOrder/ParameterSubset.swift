/// A named subset of a model's parameters, flattened into one Float64 vector: whole
/// parameters, or slices (rows of weights and elements of biases of output units).
///
/// The second-order layer works on subsets: Hessians, per-sample gradients and Fisher
/// matrices are over the subset's coordinates only, and a Newton step is scattered back into
/// it. The vector lists pieces in the model's parameter order (state-dict order), and within
/// a sliced parameter the selected rows in ascending order, each row's elements row-major.
///
/// A subset holds the model's parameter variables: it reads and writes that model. For a
/// clone, `bound(to:)` makes the same selection on the clone.
public struct ParameterSubset: @unchecked Sendable, CustomStringConvertible {
  // @unchecked Sendable: holds the model's Variables, which are used by one task at a time.

  /// One parameter, whole or restricted to some rows of its first axis.
  public struct Piece: Sendable {
    /// The parameter's dotted name (`fc1.weight`).
    public let name: String
    /// The parameter variable.
    public let parameter: Variable
    /// The selected rows of axis 0, ascending; nil for the whole parameter.
    public let rows: [Int]?
    /// Elements per row of axis 0 (the whole count for a 0-D parameter).
    public let rowLength: Int

    /// The number of coordinates this piece contributes.
    public var count: Int { rows.map { $0.count * rowLength } ?? parameter.value.count }
  }

  /// The model the subset reads and writes.
  public let model: Module
  /// The pieces, in the model's parameter order.
  public let pieces: [Piece]
  /// The slices the subset was built from (empty for whole parameters).
  public let slices: [ParameterSlice]
  /// The vector length.
  public let count: Int

  private init(model: Module, pieces: [Piece], slices: [ParameterSlice]) {
    self.model = model
    self.pieces = pieces
    self.slices = slices
    count = pieces.reduce(0) { $0 + $1.count }
  }

  /// Every parameter of `model` that requires gradients, whole.
  public init(allOf model: Module) {
    let pieces = model.namedParameters().filter { $0.1.requiresGrad }.map { name, p in
      Piece(name: name, parameter: p, rows: nil, rowLength: ParameterSubset.rowLength(p))
    }
    self.init(model: model, pieces: pieces, slices: [])
  }

  /// Whole parameters by dotted name. Throws for an unknown or repeated name (listing the
  /// model's names) and for an empty list.
  public init(model: Module, parameters names: [String]) throws {
    guard !names.isEmpty else { throw SecondOrderError.invalidSubset("no parameter names given") }
    guard Set(names).count == names.count else {
      throw SecondOrderError.invalidSubset("repeated parameter names in \(names)")
    }
    let named = model.namedParameters()
    let known = Set(named.map { $0.0 })
    if let unknown = names.first(where: { !known.contains($0) }) {
      throw SecondOrderError.invalidSubset(
        "no parameter '\(unknown)'; the model has \(Module.summarise(named.map { $0.0 }, limit: 12))")
    }
    let wanted = Set(names)
    let pieces = named.filter { wanted.contains($0.0) }.map { name, p in
      Piece(name: name, parameter: p, rows: nil, rowLength: ParameterSubset.rowLength(p))
    }
    self.init(model: model, pieces: pieces, slices: [])
  }

  /// Output-unit slices of `Linear` and `Conv2d` layers: each selects its weight row and bias
  /// element. Throws for an unknown layer, a layer of another kind, a unit out of range, a
  /// repeated slice or an empty list.
  public init(model: Module, slices: [ParameterSlice]) throws {
    guard !slices.isEmpty else { throw SecondOrderError.invalidSubset("no slices given") }
    guard Set(slices).count == slices.count else {
      throw SecondOrderError.invalidSubset("repeated slices in \(slices)")
    }
    let modules = Dictionary(model.namedModules(), uniquingKeysWith: { a, _ in a })
    var units: [String: [Int]] = [:]
    for s in slices {
      guard let module = modules[s.layer] else {
        let layers = model.namedModules().filter { ParameterSlice.sliceableOutputs($0.1) != nil }
        throw SecondOrderError.invalidSubset(
          "no layer '\(s.layer)'; layers with slices: \(layers.map { $0.0 }.joined(separator: ", "))")
      }
      guard let outputs = ParameterSlice.sliceableOutputs(module) else {
        throw SecondOrderError.invalidSubset(
          "\(s.layer) is \(module.layerDescription); slices need a Linear or Conv2d layer")
      }
      guard s.unit >= 0, s.unit < outputs else {
        throw SecondOrderError.invalidSubset("\(s) is out of range: \(s.layer) has \(outputs) outputs")
      }
      units[s.layer, default: []].append(s.unit)
    }
    var pieces: [Piece] = []
    for (layer, module) in model.namedModules() {
      guard let rows = units[layer]?.sorted() else { continue }
      let prefix = layer.isEmpty ? "" : layer + "."
      for (local, p) in module.localParameters {
        pieces.append(
          Piece(name: prefix + local, parameter: p, rows: rows, rowLength: ParameterSubset.rowLength(p)))
      }
    }
    let ordered = model.namedModules().flatMap { layer, _ in
      (units[layer]?.sorted() ?? []).map { ParameterSlice(layer: layer, unit: $0) }
    }
    self.init(model: model, pieces: pieces, slices: ordered)
  }

  /// The same selection on another model with the same parameter names and shapes (a clone).
  public func bound(to other: Module) throws -> ParameterSubset {
    let named = Dictionary(other.namedParameters(), uniquingKeysWith: { a, _ in a })
    let rebound = try pieces.map { piece -> Piece in
      guard let p = named[piece.name], p.value.shape == piece.parameter.value.shape else {
        throw SecondOrderError.invalidSubset(
          "the other model has no parameter \(piece.name) of shape \(piece.parameter.value.shape)")
      }
      return Piece(name: piece.name, parameter: p, rows: piece.rows, rowLength: piece.rowLength)
    }
    return ParameterSubset(model: other, pieces: rebound, slices: slices)
  }

  /// `fc1[3, 5], conv1[2]` for slices, `fc2.weight, fc2.bias` for whole parameters.
  public var description: String {
    if slices.isEmpty { return pieces.map { $0.name }.joined(separator: ", ") }
    var order: [String] = []
    var units: [String: [Int]] = [:]
    for s in slices {
      if units[s.layer] == nil { order.append(s.layer) }
      units[s.layer, default: []].append(s.unit)
    }
    return order.map { "\($0)[\(units[$0]!.map(String.init).joined(separator: ", "))]" }
      .joined(separator: ", ")
  }

  // MARK: - Gather and scatter

  /// The subset's current parameter values.
  public func values() -> [Double] { gather { $0.parameter.value } }

  /// The subset's accumulated gradients (zeros where a parameter has none).
  public func gradients() -> [Double] { gather { $0.parameter.grad } }

  /// The subset's coordinates of stored tensors keyed by parameter name (a snapshot of
  /// parameters or gradients). Throws for a missing name or a wrong shape.
  public func gather(from tensors: [String: Tensor]) throws -> [Double] {
    for piece in pieces {
      guard let t = tensors[piece.name] else {
        throw SecondOrderError.invalidSubset("the stored tensors have no \(piece.name)")
      }
      guard t.shape == piece.parameter.value.shape else {
        throw SecondOrderError.dimensionMismatch(
          "stored \(piece.name) has shape \(t.shape), the parameter \(piece.parameter.value.shape)")
      }
    }
    return gather { tensors[$0.name] }
  }

  /// The subset's coordinates of one tensor per piece (nil reads as zeros).
  func gather(_ source: (Piece) -> Tensor?) -> [Double] {
    var out = [Double](repeating: 0, count: count)
    var offset = 0
    for piece in pieces {
      defer { offset += piece.count }
      guard let t = source(piece) else { continue }
      t.storage.withUnsafeBufferPointer { src in
        guard let rows = piece.rows else {
          for k in 0..<src.count { out[offset + k] = Double(src[k]) }
          return
        }
        var o = offset
        for r in rows {
          let base = r * piece.rowLength
          for k in 0..<piece.rowLength { out[o + k] = Double(src[base + k]) }
          o += piece.rowLength
        }
      }
    }
    return out
  }

  /// Writes `vector` into the subset's parameter values (other coordinates keep theirs).
  public func setValues(_ vector: [Double]) throws {
    try scatter(vector) { _, new in Float(new) }
  }

  /// Adds `scale · delta` to the subset's parameter values (a Newton or gradient step).
  public func addToValues(_ delta: [Double], scale: Double = 1) throws {
    try scatter(delta) { old, d in Float(Double(old) + scale * d) }
  }

  private func scatter(_ vector: [Double], _ combine: (Float, Double) -> Float) throws {
    guard vector.count == count else {
      throw SecondOrderError.dimensionMismatch("a vector of \(vector.count) for a subset of \(count)")
    }
    guard vector.allSatisfy({ $0.isFinite }) else {
      throw SecondOrderError.invalidArgument("a vector with non-finite values for \(description)")
    }
    var offset = 0
    for piece in pieces {
      piece.parameter.value.storage.withUnsafeMutableBufferPointer { dst in
        vector.withUnsafeBufferPointer { v in
          guard let rows = piece.rows else {
            for k in 0..<dst.count { dst[k] = combine(dst[k], v[offset + k]) }
            return
          }
          var o = offset
          for r in rows {
            let base = r * piece.rowLength
            for k in 0..<piece.rowLength { dst[base + k] = combine(dst[base + k], v[o + k]) }
            o += piece.rowLength
          }
        }
      }
      offset += piece.count
    }
  }

  // MARK: - Helpers for the second-order routines

  /// The subset's values as Float32, exactly as stored (to restore after a perturbation).
  func exactValues() -> [Tensor] { pieces.map { $0.parameter.value } }

  /// Puts back values saved by `exactValues()`.
  func restore(_ saved: [Tensor]) {
    for (piece, t) in zip(pieces, saved) { piece.parameter.value = t }
  }

  /// Runs `body` with gradients recorded for the subset's parameters only (other parameters
  /// of the model set to `requiresGrad = false`, the subset's to true) and the subset's
  /// gradients cleared; restores every flag and gradient afterwards.
  func withGradientsOnSubset<T>(_ body: () throws -> T) rethrows -> T {
    let all = model.parameters()
    let flags = all.map { $0.requiresGrad }
    let mine = Set(pieces.map { ObjectIdentifier($0.parameter) })
    let grads = pieces.map { $0.parameter.grad }
    for p in all { p.requiresGrad = mine.contains(ObjectIdentifier(p)) }
    for piece in pieces { piece.parameter.grad = nil }
    defer {
      for (p, f) in zip(all, flags) { p.requiresGrad = f }
      for (piece, g) in zip(pieces, grads) { piece.parameter.grad = g }
    }
    return try body()
  }

  /// Elements per row of axis 0 of a parameter.
  static func rowLength(_ p: Variable) -> Int {
    let s = p.value.shape
    return s.isEmpty ? 1 : (s[0] == 0 ? 0 : p.value.count / s[0])
  }
}
