/// Errors crossing the Swift–Lua bridge.
public enum LuaError: Error, CustomStringConvertible, Equatable {
  /// A bad argument to a binding: raised in Lua as `bad argument #index to 'name' (message)`.
  case argument(index: Int32, message: String)
  /// An error raised by Lua code (syntax, runtime, or a Lua `error` call), with its message and
  /// usually a traceback.
  case script(String)
  /// A Lua chunk that could not be loaded (missing file, syntax error): one line naming the place.
  case load(String)

  /// The message as a user reads it.
  public var description: String {
    switch self {
    case .argument(let index, let message): return "bad argument #\(index) (\(message))"
    case .script(let message): return message
    case .load(let message): return message
    }
  }
}
