import CLua

/// The body of a binding: reads its arguments from `call`, pushes its results and returns how many.
/// It throws instead of raising: the trampoline raises the Lua error after this frame returned.
public typealias LuaBody = @Sendable (LuaCall) throws -> Int32

/// One Swift function callable from Lua, with the documentation `lethe.help` prints.
public struct LuaBinding: Sendable {
  /// The qualified name shown in help and docs, e.g. `lethe.tensor.matmul` or `Tensor:matmul`.
  public let qualifiedName: String
  /// The name as Lua code calls it (a table field): `matmul`.
  public let name: String
  /// The call form, e.g. `matmul(a, b) -> Tensor`.
  public let signature: String
  /// One line saying what it does.
  public let doc: String
  /// The implementation.
  public let body: LuaBody
}

/// A Lua class for Swift objects of type `T`: userdata retaining a `T`, with one metatable.
///
/// Instances are global constants; the instance's address keys its metatable in the registry.
public final class LuaClass<T: AnyObject>: Sendable {
  /// The type's name as Lua reports it (`__name`), e.g. `lethe.Tensor`.
  public let name: String
  /// One line saying what the type is.
  public let doc: String

  /// A class named `name` (`lethe.Something`).
  public init(name: String, doc: String) {
    self.name = name
    self.doc = doc
  }

  /// The light-userdata key of the metatable in the registry.
  var key: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }

  /// The short name, `Tensor` for `lethe.Tensor`.
  public var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }
}

/// A type-erased description of a registered class, kept by the registry.
struct LuaClassEntry: Sendable {
  let name: String
  let shortName: String
  let doc: String
  let key: @Sendable () -> UnsafeRawPointer
  var methods: [LuaBinding]
  var metamethods: [(String, LuaBinding)]
}

/// One module of the Lua API, `lethe.<field>`.
struct LuaModuleEntry: Sendable {
  let field: String
  var doc: String
  var example: String
  var functions: [LuaBinding]
}
