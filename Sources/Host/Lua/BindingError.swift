/// A failure inside a binding, raised in Lua as `where: message`.
public struct BindingError: Error, CustomStringConvertible {
  /// The message.
  public let description: String

  /// An error with `message`.
  public init(_ message: String) { description = message }
}
