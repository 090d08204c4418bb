import CLua
import Core
import Foundation

/// Per-state settings that bindings read: where `print` writes, the random generator, quietness.
///
/// Reached from a binding through `call.context`; lives as long as its `LuaVM`.
public final class LuaContext {
  /// Where Lua's `print` and the REPL write (standard output by default).
  public var write: (String) -> Void = { text in
    var text = text
    text.withUTF8 {
      clua_write_stdout(
        $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, $0.count)
    }
  }
  /// The generator behind seeded creation functions (`lethe.seed(n)` resets it).
  public var rng: RandomGenerator
  /// The seed `rng` started from.
  public private(set) var seed: UInt64
  /// Whether progress output is suppressed (`--quiet`).
  public var quiet = false
  /// Whether `lethe.experiment.run` runs or plans, and which share (`lethe run --shard`, `lethe plan`).
  public let sweep = SweepControl()

  /// A context seeded with `seed`.
  public init(seed: UInt64 = 0) {
    self.seed = seed
    self.rng = RandomGenerator(seed: seed)
  }

  /// Restarts the generator from `seed`.
  public func reseed(_ seed: UInt64) {
    self.seed = seed
    rng = RandomGenerator(seed: seed)
  }

  /// Whether long Swift loops should stop now (Ctrl-C was pressed, or `clua_interrupt` called).
  public static var interrupted: Bool { clua_interrupted() != 0 }
}

/// The registry key of the light userdata pointing at a state's `LuaContext`: a never-freed byte
/// whose address is the key. `nonisolated(unsafe)` because it is only an address, never written.
nonisolated(unsafe) private let contextKey = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

extension LuaContext {
  /// Stores `self` (unretained: the `LuaVM` owns it) in the registry of `L`.
  func attach(to L: OpaquePointer) {
    lua_pushlightuserdata(L, Unmanaged.passUnretained(self).toOpaque())
    lua_rawsetp(L, CLUA_REGISTRYINDEX, contextKey)
  }

  /// The context attached to `L`.
  static func of(_ L: OpaquePointer) -> LuaContext {
    lua_rawgetp(L, CLUA_REGISTRYINDEX, contextKey)
    let p = lua_touserdata(L, -1)!
    clua_pop(L, 1)
    return Unmanaged<LuaContext>.fromOpaque(p).takeUnretainedValue()
  }
}

extension LuaCall {
  /// The context of the state this call runs in.
  public var context: LuaContext { LuaContext.of(L) }
}
