/// What a forward observer sees: a module's input and output of one forward pass.
public typealias ForwardObserver = (_ input: Variable, _ output: Variable) throws -> Void

/// Watching layers during a forward pass — PyTorch's forward hooks, scoped to one call: methods
/// that need layer activations (LCODEC's slice activations, DeltaGrad's frozen features) run the
/// model as usual and see the named layers' inputs and outputs.
///
/// The observed values are the ones the model computes; observing changes no numerics. A
/// `Sequential` runs Conv2d → ReLU (→ MaxPool2d) as one fused primitive, which never
/// materialises the convolution's own output; while one of those layers is observed, that run
/// goes layer by layer instead (the fused primitive has the same values). Modules that only run
/// inside a fused primitive of their parent (the batch norms of `BasicBlock` and `ResNet`) cannot
/// be observed: asking for one is an error once the model has run.
extension Module {
  /// Runs `body` with `observe(name, input, output)` called on every forward pass of the
  /// descendants named in `names` (dotted names from `namedModules()`, e.g. `fc1`,
  /// `layer1.0.conv1`; `""` is the module itself), then removes the observers, also when
  /// `body` throws.
  ///
  /// Throws, before running `body`, for an unknown or repeated name (listing the valid ones)
  /// and for a module that is already observed; after it, when the model ran but a named
  /// module never reported (it runs inside a fused primitive).
  public func observingForward<T>(
    of names: [String], _ observe: @escaping (_ name: String, _ input: Variable, _ output: Variable) throws -> Void,
    during body: () throws -> T
  ) throws -> T {
    let modules = namedModules()
    let byName = Dictionary(modules.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
    var seen = Set<String>()
    var targets: [(String, Module)] = []
    for name in names {
      guard let m = byName[name] else {
        let valid = modules.map { $0.0.isEmpty ? "\"\"" : $0.0 }.joined(separator: ", ")
        throw ModuleError.invalidConfiguration("no module named '\(name)' to observe; modules: \(valid)")
      }
      guard seen.insert(name).inserted else {
        throw ModuleError.invalidConfiguration("module '\(name)' is named twice")
      }
      guard m.forwardObserver == nil else {
        throw ModuleError.invalidConfiguration("module '\(name)' is already observed")
      }
      targets.append((name, m))
    }
    var fired = Set<String>()
    for (name, m) in targets {
      m.forwardObserver = { input, output in
        fired.insert(name)
        try observe(name, input, output)
      }
    }
    defer { for (_, m) in targets { m.forwardObserver = nil } }
    let result = try body()
    if !fired.isEmpty, let silent = targets.first(where: { !fired.contains($0.0) }) {
      throw ModuleError.invalidConfiguration(
        "module '\(silent.0)' (\(silent.1.layerDescription)) runs inside a fused primitive of its parent and cannot be observed")
    }
    return result
  }

  /// Whether this module has a forward observer (a parent then runs it on its own, unfused).
  var isObserved: Bool { forwardObserver != nil }
}
