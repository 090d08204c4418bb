import Core
import Foundation

/// The one registry of unlearning methods, Swift and Lua alike. Names are unique.
///
/// The registry is shared process-wide (`MethodRegistry.shared`, guarded by a lock) so that the
/// CLI, schedules and reports see the same methods; tests may make their own.
public final class MethodRegistry: @unchecked Sendable {
  // @unchecked: every access to `methods` goes through `lock`.
  private let lock = NSLock()
  private var methods: [String: UnlearningMethod] = [:]

  /// The process-wide registry, holding the built-in methods.
  public static let shared: MethodRegistry = {
    let r = MethodRegistry()
    r.registerBuiltins()
    return r
  }()

  /// An empty registry.
  public init() {}

  /// Adds the built-in Swift methods (retrain, finetune, neggrad, neggrad+, unrolling_sgd, cr,
  /// sekhari, linear_filtration, deltagrad, sisa, unlearnable, bad_teacher).
  public func registerBuiltins() {
    for m: UnlearningMethod in [
      RetrainMethod(), FinetuneMethod(), NegGradMethod(), NegGradPlusMethod(), UnrollingSGDMethod(),
      CertifiedRemovalMethod(), SekhariMethod(), LinearFiltrationMethod(), DeltaGradMethod(),
      SISAMethod(), UnlearnableMethod(), BadTeacherMethod(),
    ] {
      try? register(m)
    }
  }

  /// Adds `method`; throws when its name is taken, unless `replacing` is true (a Lua script
  /// reloaded in the REPL).
  public func register(_ method: UnlearningMethod, replacing: Bool = false) throws {
    lock.lock()
    defer { lock.unlock() }
    let name = method.descriptor.name
    guard !name.isEmpty else { throw MethodError.failed(method: name, message: "a method needs a name") }
    if methods[name] != nil && !replacing { throw MethodError.duplicateMethod(name: name) }
    methods[name] = method
  }

  /// The method called `name`, or an error listing every registered name.
  public func method(named name: String) throws -> UnlearningMethod {
    lock.lock()
    defer { lock.unlock() }
    guard let m = methods[name] else {
      throw MethodError.unknownMethod(name: name, valid: methods.keys.sorted())
    }
    return m
  }

  /// Every registered method's descriptor, sorted by name.
  public var descriptors: [MethodDescriptor] {
    lock.lock()
    defer { lock.unlock() }
    return methods.values.map(\.descriptor).sorted { $0.name < $1.name }
  }

  /// A method spec with its options checked and defaults filled in.
  public func resolve(_ spec: NamedSpec) throws -> NamedSpec {
    let m = try method(named: spec.name)
    let options = try MethodOptions.resolve(spec.options, specs: m.descriptor.options, owner: "method '\(spec.name)'")
    return NamedSpec(spec.name, options.values)
  }

  /// The listing `lethe methods` prints: each method, its origin, summary, and options with
  /// defaults.
  public func listing() -> String {
    var out = ""
    for d in descriptors {
      out += "\(d.name)  [\(d.origin.rawValue)\(d.source.map { ": \($0)" } ?? "")]\n  \(d.summary)\n"
      for o in d.options {
        out += "    \(o.name) (\(o.kind.rawValue), default \(o.defaultDescription)): \(o.doc)\n"
      }
      if d.options.isEmpty { out += "    (no options)\n" }
    }
    return out
  }
}
