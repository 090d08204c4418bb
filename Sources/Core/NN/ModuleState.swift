/// Names, state dicts, flat parameter vectors, gradients and counts, derived from each module's
/// `localParameters`, `localBuffers` and `children`, with PyTorch's ordering (a module's own
/// parameters, then its own buffers, then each child's, recursively).
extension Module {
  /// Every parameter with its dotted name (`layer1.0.conv1.weight`), in state-dict order.
  public func namedParameters() -> [(String, Variable)] {
    var out: [(String, Variable)] = []
    visit(prefix: "") { prefix, module in
      for (name, p) in module.localParameters { out.append((prefix + name, p)) }
    }
    return out
  }

  /// Every parameter variable, in state-dict order (what an optimiser takes).
  public func parameters() -> [Variable] { namedParameters().map { $0.1 } }

  /// Every buffer with its dotted name (`bn1.running_mean`, `bn1.num_batches_tracked`).
  public func namedBuffers() -> [(String, Buffer)] {
    var out: [(String, Buffer)] = []
    visit(prefix: "") { prefix, module in
      for (name, b) in module.localBuffers { out.append((prefix + name, b)) }
    }
    return out
  }

  /// Every module with its dotted name, the root first with the name `""`.
  public func namedModules() -> [(String, Module)] {
    var out: [(String, Module)] = []
    visit(prefix: "") { prefix, module in out.append((String(prefix.dropLast()), module)) }
    return out
  }

  /// Parameters and buffers by name in PyTorch's `state_dict()` order, as tensor values.
  public func stateDict() -> [(String, Tensor)] {
    stateEntries().map { ($0.name, $0.value) }
  }

  /// One entry of the state dict: a parameter or a buffer, with its name.
  struct StateEntry {
    let name: String
    let parameter: Variable?
    let buffer: Buffer?
    var value: Tensor { parameter?.value ?? buffer!.value }
    var isInteger: Bool { buffer?.isInteger ?? false }
    func set(_ t: Tensor) {
      if let p = parameter { p.value = t } else { buffer!.value = t }
    }
  }

  func stateEntries() -> [StateEntry] {
    var out: [StateEntry] = []
    visit(prefix: "") { prefix, module in
      for (n, p) in module.localParameters {
        out.append(StateEntry(name: prefix + n, parameter: p, buffer: nil))
      }
      for (n, b) in module.localBuffers {
        out.append(StateEntry(name: prefix + n, parameter: nil, buffer: b))
      }
    }
    return out
  }

  /// Replaces parameters and buffers from a name → tensor map. With `strict`, every name of the
  /// module must be present and no other; shapes must always match. Nothing is written unless
  /// everything fits; the error lists every problem.
  public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
    let entries = stateEntries()
    var problems: [String] = []
    var known = Set<String>()
    for e in entries {
      known.insert(e.name)
      guard let t = state[e.name] else {
        if strict { problems.append("missing \(e.name)") }
        continue
      }
      if t.shape != e.value.shape {
        problems.append("\(e.name) has shape \(t.shape), the model needs \(e.value.shape)")
      }
    }
    if strict {
      for name in state.keys.sorted() where !known.contains(name) {
        problems.append("unexpected \(name)")
      }
    }
    guard problems.isEmpty else {
      throw ModuleError.stateMismatch(Module.summarise(problems))
    }
    for e in entries { if let t = state[e.name] { e.set(t) } }
  }

  /// The state dict as a dictionary.
  public func stateDictionary() -> [String: Tensor] {
    Dictionary(stateDict(), uniquingKeysWith: { a, _ in a })
  }

  /// The total number of parameter elements.
  public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.value.count } }

  /// The number of parameter elements that require gradients.
  public var trainableParameterCount: Int {
    namedParameters().reduce(0) { $0 + ($1.1.requiresGrad ? $1.1.value.count : 0) }
  }

  /// All parameters concatenated into one 1-D tensor, in state-dict order.
  public func parameterVector() -> Tensor {
    var flat: [Float] = []
    flat.reserveCapacity(parameterCount)
    for (_, p) in namedParameters() { flat.append(contentsOf: p.value.storage) }
    return Tensor(shape: [flat.count], storage: flat)
  }

  /// Writes a flat vector (as from `parameterVector()`) back into the parameters.
  public func setParameterVector(_ vector: Tensor) throws {
    let params = parameters()
    let total = params.reduce(0) { $0 + $1.value.count }
    guard vector.count == total else {
      throw ModuleError.stateMismatch(
        "a flat parameter vector of \(vector.count) elements for a model with \(total) parameters")
    }
    var offset = 0
    for p in params {
      let n = p.value.count
      p.value.storage.withUnsafeMutableBufferPointer { dst in
        vector.storage.withUnsafeBufferPointer { src in
          dst.baseAddress!.update(from: src.baseAddress! + offset, count: n)
        }
      }
      offset += n
    }
  }

  /// The number of elements of the whole state: parameters and buffers.
  public var stateCount: Int { stateEntries().reduce(0) { $0 + $1.value.count } }

  /// Everything needed to restore the module exactly, flattened into one 1-D tensor: the
  /// parameters (as `parameterVector()`), then the buffers (batch-norm running statistics and
  /// counters), each in state-dict order.
  public func stateVector() -> Tensor {
    var flat = parameterVector().storage
    for (_, b) in namedBuffers() { flat.append(contentsOf: b.value.storage) }
    return Tensor(shape: [flat.count], storage: flat)
  }

  /// Restores a `stateVector()`; throws (writing nothing) when the length is wrong.
  public func setStateVector(_ vector: Tensor) throws {
    let buffers = namedBuffers()
    let parameters = parameterCount
    let total = parameters + buffers.reduce(0) { $0 + $1.1.value.count }
    guard vector.count == total else {
      throw ModuleError.stateMismatch(
        "a state of \(vector.count) values for a model holding \(total)")
    }
    try setParameterVector(Tensor(shape: [parameters], storage: Array(vector.storage[0..<parameters])))
    var offset = parameters
    for (_, b) in buffers {
      let n = b.value.count
      b.value = Tensor(shape: b.value.shape, storage: Array(vector.storage[offset..<(offset + n)]))
      offset += n
    }
  }

  /// Each parameter's accumulated gradient by name (nil where none has been computed).
  public func namedGradients() -> [(String, Tensor?)] {
    namedParameters().map { ($0.0, $0.1.grad) }
  }

  /// All gradients concatenated in parameter order; zeros where a parameter has none.
  public func gradientVector() -> Tensor {
    var flat: [Float] = []
    flat.reserveCapacity(parameterCount)
    for (_, p) in namedParameters() {
      if let g = p.grad {
        flat.append(contentsOf: g.storage)
      } else {
        flat.append(contentsOf: repeatElement(0, count: p.value.count))
      }
    }
    return Tensor(shape: [flat.count], storage: flat)
  }

  /// Forgets every parameter's gradient.
  public func zeroGrad() {
    for p in parameters() { p.grad = nil }
  }

  /// The parameter with this dotted name, if any.
  public func parameter(named name: String) -> Variable? {
    namedParameters().first { $0.0 == name }?.1
  }

  /// The buffer with this dotted name, if any.
  public func buffer(named name: String) -> Buffer? {
    namedBuffers().first { $0.0 == name }?.1
  }

  /// Calls `body` on this module and every descendant, depth first, with the dotted prefix
  /// (`""` for the root, `"layer1.0."` below).
  func visit(prefix: String, _ body: (String, Module) -> Void) {
    body(prefix, self)
    for (name, child) in children { child.visit(prefix: prefix + name + ".", body) }
  }

  /// Joins problem descriptions, keeping long lists readable.
  static func summarise(_ problems: [String], limit: Int = 8) -> String {
    if problems.count <= limit { return problems.joined(separator: "; ") }
    return problems.prefix(limit).joined(separator: "; ") + "; and \(problems.count - limit) more"
  }
}
