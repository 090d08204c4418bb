/// Errors of the method registry, method options and method runs.
public enum MethodError: Error, CustomStringConvertible, Equatable {
  /// No method of that name is registered; `valid` lists those that are.
  case unknownMethod(name: String, valid: [String])
  /// A method of that name is already registered.
  case duplicateMethod(name: String)
  /// An option value of the wrong kind or out of range.
  case invalidOption(owner: String, option: String, message: String)
  /// The method could not do its work (bad request, missing preparation, a script error).
  case failed(method: String, message: String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .unknownMethod(let name, let valid):
      return "unknown method '\(name)'; valid methods: \(valid.joined(separator: ", "))"
    case .duplicateMethod(let name):
      return "a method named '\(name)' is already registered"
    case .invalidOption(let owner, let option, let message):
      return "\(owner): option '\(option)' \(message)"
    case .failed(let method, let message):
      return "method '\(method)' failed: \(message)"
    }
  }
}
