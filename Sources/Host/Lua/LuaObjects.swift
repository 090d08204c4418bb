import CLua

/// Userdata holding retained Swift objects: pushing, type-checked reading, and release in `__gc`.
///
/// A userdata block holds one pointer: the object, retained once (`Unmanaged.passRetained`).
/// Its metatable, found in the registry under the class's key, identifies the Swift type.
enum LuaObjects {
  /// Pushes `object` as a new userdata of `cls`.
  static func push<T>(_ L: OpaquePointer, _ object: T, _ cls: LuaClass<T>) {
    let block = clua_newuserdata(L, MemoryLayout<UnsafeRawPointer?>.size)!
    block.storeBytes(
      of: UnsafeRawPointer(Unmanaged.passRetained(object).toOpaque()), as: UnsafeRawPointer?.self)
    LiveObjects.retained()
    lua_rawgetp(L, CLUA_REGISTRYINDEX, cls.key)
    lua_setmetatable(L, -2)
  }

  /// Whether the value at `i` is a userdata whose metatable is the one registered under `key`.
  @inline(__always)
  static func hasMetatable(_ L: OpaquePointer, _ i: Int32, key: UnsafeRawPointer) -> Bool {
    guard lua_getmetatable(L, i) != 0 else { return false }
    lua_rawgetp(L, CLUA_REGISTRYINDEX, key)
    let same = lua_rawequal(L, -1, -2) != 0
    clua_pop(L, 2)
    return same
  }

  /// The object at `i` when it is a live userdata of `cls`.
  @inline(__always)
  static func test<T>(_ L: OpaquePointer, _ i: Int32, _ cls: LuaClass<T>) -> T? {
    guard lua_type(L, i) == LUA_TUSERDATA, let block = lua_touserdata(L, i),
      hasMetatable(L, i, key: cls.key),
      let raw = block.load(as: UnsafeRawPointer?.self)
    else { return nil }
    return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
  }

  /// Releases the object of the userdata at `i` if it is of the class keyed by `key` (idempotent).
  static func release(_ L: OpaquePointer, _ i: Int32, key: UnsafeRawPointer) {
    guard lua_type(L, i) == LUA_TUSERDATA, let block = lua_touserdata(L, i),
      hasMetatable(L, i, key: key),
      let raw = block.load(as: UnsafeRawPointer?.self)
    else { return }
    block.storeBytes(of: nil, as: UnsafeRawPointer?.self)
    Unmanaged<AnyObject>.fromOpaque(raw).release()
    LiveObjects.released()
  }
}
