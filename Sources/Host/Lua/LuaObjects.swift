import CLua

/// Userdata holding retained Swift objects: pushing, type-checked reading, and release in `__gc`.
///
/// A userdata block holds two words: the key of the object's class (the `LuaClass` instance's
/// address, which also keys its metatable in the registry) and the object, retained once
/// (`Unmanaged.passRetained`). Only this file writes such blocks, and Lua code cannot write raw
/// bytes into userdata, so the class key in the block identifies the Swift type even when
/// `debug.setmetatable` has swapped metatables between userdata.
enum LuaObjects {
  /// The block size: class key, then object pointer.
  static let blockSize = 2 * MemoryLayout<UnsafeRawPointer>.size
  private static let objectOffset = MemoryLayout<UnsafeRawPointer>.size

  /// Pushes `object` as a new userdata of `cls`.
  static func push<T>(_ L: OpaquePointer, _ object: T, _ cls: LuaClass<T>) {
    let block = clua_newuserdata(L, blockSize)!
    block.storeBytes(of: cls.key, as: UnsafeRawPointer.self)
    block.storeBytes(
      of: UnsafeRawPointer(Unmanaged.passRetained(object).toOpaque()), toByteOffset: objectOffset,
      as: UnsafeRawPointer?.self)
    LiveObjects.retained()
    lua_rawgetp(L, CLUA_REGISTRYINDEX, cls.key)
    lua_setmetatable(L, -2)
  }

  /// The block at `i` if it is a lethe userdata of the class keyed by `key`, with its object
  /// pointer (nil once released).
  @inline(__always)
  static func block(_ L: OpaquePointer, _ i: Int32, key: UnsafeRawPointer)
    -> (UnsafeMutableRawPointer, UnsafeRawPointer?)?
  {
    guard lua_type(L, i) == LUA_TUSERDATA, lua_rawlen(L, i) == blockSize, let block = lua_touserdata(L, i),
      block.load(as: UnsafeRawPointer.self) == key
    else { return nil }
    return (block, block.load(fromByteOffset: objectOffset, as: UnsafeRawPointer?.self))
  }

  /// Whether the value at `i` is a userdata whose metatable is the one registered under `key`.
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
    guard let (_, pointer) = block(L, i, key: cls.key), let raw = pointer else { return nil }
    return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
  }

  /// Whether the value at `i` is a userdata of `cls` whose object `__gc` already released.
  static func isReleased<T>(_ L: OpaquePointer, _ i: Int32, _ cls: LuaClass<T>) -> Bool {
    guard let (_, pointer) = block(L, i, key: cls.key) else { return false }
    return pointer == nil
  }

  /// Releases the object of the userdata at `i` if it is a lethe userdata of any class (so that
  /// a swapped metatable still frees it); idempotent.
  static func release(_ L: OpaquePointer, _ i: Int32) {
    guard lua_type(L, i) == LUA_TUSERDATA, lua_rawlen(L, i) == blockSize, let raw = lua_touserdata(L, i)
    else { return }
    let key = raw.load(as: UnsafeRawPointer.self)
    guard LuaBindingTable.shared.classKeys.contains(UInt(bitPattern: key)),
      let (block, pointer) = block(L, i, key: key), let raw = pointer
    else { return }
    block.storeBytes(of: nil, toByteOffset: objectOffset, as: UnsafeRawPointer?.self)
    Unmanaged<AnyObject>.fromOpaque(raw).release()
    LiveObjects.released()
  }
}
