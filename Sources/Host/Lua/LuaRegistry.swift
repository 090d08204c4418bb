import CLua
import Core

/// A set of Lua bindings: a module's functions, classes and Lua prelude chunks.
///
/// To add bindings, write a type conforming to `LuaLibrary` in its own file and add it to
/// `LuaLibraries.all` (one line).
public protocol LuaLibrary: Sendable {
  /// Adds this library's modules, functions, classes and prelude chunks.
  static func register(into registry: inout LuaRegistry)
}

/// Everything the Lua API consists of, collected from the libraries before a state is built.
public struct LuaRegistry: Sendable {
  /// The modules `lethe.<field>` in registration order.
  private(set) var modules: [LuaModuleEntry] = []
  /// The classes, in registration order.
  private(set) var classes: [LuaClassEntry] = []
  /// Lua chunks run after the bindings are installed, as (chunk name, source).
  private(set) var preludes: [(String, String)] = []

  /// An empty registry.
  public init() {}

  /// Declares (or documents) the module `lethe.<field>`; `field` empty means `lethe` itself.
  public mutating func module(_ field: String, doc: String, example: String) {
    if let k = modules.firstIndex(where: { $0.field == field }) {
      modules[k].doc = doc
      modules[k].example = example
    } else {
      modules.append(LuaModuleEntry(field: field, doc: doc, example: example, functions: []))
    }
  }

  /// Adds function `name` to `lethe.<module>`.
  public mutating func function(
    _ module: String, _ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaBody
  ) {
    if !modules.contains(where: { $0.field == module }) {
      self.module(module, doc: "", example: "")
    }
    let k = modules.firstIndex { $0.field == module }!
    let qualified = module.isEmpty ? "lethe.\(name)" : "lethe.\(module).\(name)"
    modules[k].functions.append(
      LuaBinding(qualifiedName: qualified, name: name, signature: signature, doc: doc, body: body))
  }

  /// Declares class `cls` with `__gc` and `__name`. `obj.key` finds the methods; a class that
  /// also sets a `__index` metamethod gets it called for keys that are not methods.
  public mutating func declare<T>(_ cls: LuaClass<T>) {
    let gc = LuaBinding(
      qualifiedName: "\(cls.shortName):__gc", name: "__gc", signature: "", doc: "Releases the object.",
      body: { call in
        LuaObjects.release(call.L, 1)
        return 0
      })
    classes.append(
      LuaClassEntry(
        name: cls.name, shortName: cls.shortName, doc: cls.doc, key: { cls.key }, methods: [],
        metamethods: [("__gc", gc)]))
  }

  /// Adds method `name` (called `obj:name(...)`) to class `cls`.
  public mutating func method<T>(
    _ cls: LuaClass<T>, _ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaBody
  ) {
    guard let k = classes.firstIndex(where: { $0.name == cls.name }) else {
      preconditionFailure("class \(cls.name) used before declare")
    }
    classes[k].methods.append(
      LuaBinding(
        qualifiedName: "\(cls.shortName):\(name)", name: name, signature: signature, doc: doc, body: body))
  }

  /// Sets metamethod `name` (`__add`, `__tostring`, `__len`, ...) of class `cls`.
  public mutating func metamethod<T>(
    _ cls: LuaClass<T>, _ name: String, _ doc: String, _ body: @escaping LuaBody
  ) {
    guard let k = classes.firstIndex(where: { $0.name == cls.name }) else {
      preconditionFailure("class \(cls.name) used before declare")
    }
    classes[k].metamethods.append(
      (
        name,
        LuaBinding(
          qualifiedName: "\(cls.shortName).\(name)", name: name, signature: "", doc: doc, body: body)
      ))
  }

  /// Adds a chunk of Lua run once the bindings exist (the chunk sees `lethe` as `...`).
  public mutating func prelude(_ name: String, _ source: String) {
    preludes.append((name, source))
  }

  /// Adds a chunk embedded by the build (a file of `Sources/Host/Prelude`, UTF-8).
  mutating func prelude(_ name: String, _ bytes: [UInt8]) {
    prelude(name, String(decoding: bytes, as: UTF8.self))
  }

  /// Every function and method binding, for documentation checks.
  public var documentedBindings: [LuaBinding] {
    modules.flatMap(\.functions) + classes.flatMap(\.methods)
  }
}

/// The process-wide table of bindings, built once from `LuaLibraries.all`; the trampoline finds a
/// binding by its position here.
struct LuaBindingTable: Sendable {
  let registry: LuaRegistry
  let bindings: [LuaBinding]
  /// Position of each binding by qualified name (metamethods by `Class.__name`).
  let position: [String: Int]
  /// The keys of every registered class (as bit patterns), for `__gc`.
  let classKeys: Set<UInt>

  static let shared: LuaBindingTable = {
    var registry = LuaRegistry()
    for library in LuaLibraries.all { library.register(into: &registry) }
    var all = registry.modules.flatMap(\.functions)
    for cls in registry.classes {
      all += cls.methods
      all += cls.metamethods.map(\.1)
    }
    var position = [String: Int]()
    for (k, b) in all.enumerated() { position[b.qualifiedName] = k }
    let keys = Set(registry.classes.map { UInt(bitPattern: $0.key()) })
    return LuaBindingTable(registry: registry, bindings: all, position: position, classKeys: keys)
  }()

  /// Runs binding `k` for the trampoline; the returned code follows `CLua.h`.
  @inline(__always)
  func dispatch(_ L: OpaquePointer, _ k: Int) -> Int32 {
    // debug.setupvalue can rewrite a binding's number: never index out of range.
    guard bindings.indices.contains(k) else {
      lua_pushstring(L, "corrupted lethe binding (upvalue changed)")
      return CLUA_RAISE
    }
    do {
      return try bindings[k].body(LuaCall(L: L))
    } catch LuaError.argument(let index, let message) {
      lua_pushstring(L, message)
      return CLUA_RAISE_ARG - index
    } catch LuaError.script(let message) {
      lua_pushstring(L, message)
      return CLUA_RAISE_RAW
    } catch {
      // Foundation's file errors as a path and a plain reason, never an NSError dump.
      lua_pushstring(L, FileError.describe(error))
      return CLUA_RAISE
    }
  }
}

/// The C dispatcher installed in the shim: calls binding `k` of the shared table.
let luaDispatcher: clua_dispatcher = { L, k in
  LuaBindingTable.shared.dispatch(L!, Int(k))
}
