import Foundation

/// Counts the Swift objects the Lua bridge currently retains on behalf of userdata.
///
/// A userdata retains its Swift object when pushed and releases it in `__gc`; after
/// `collectgarbage()` or `lua_close` the count returns to where it was. Tests read it to prove
/// that no wrapper leaks.
public enum LiveObjects {
  /// The counter and its lock; `@unchecked Sendable` because every access holds `lock`.
  private final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
  }
  private static let counter = Counter()

  /// How many Swift objects userdata retain right now (over every Lua state in the process).
  public static var count: Int {
    counter.lock.lock()
    defer { counter.lock.unlock() }
    return counter.value
  }

  static func retained() {
    counter.lock.lock()
    counter.value += 1
    counter.lock.unlock()
  }

  static func released() {
    counter.lock.lock()
    counter.value -= 1
    counter.lock.unlock()
  }
}
