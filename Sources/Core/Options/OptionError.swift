/// A bad option in a configuration: an unknown name (listing the valid ones), a value of the
/// wrong kind or out of range, or a required option left out. `owner` names the configuration
/// ("method 'neggrad'", "fit").
public enum OptionError: Error, Equatable, CustomStringConvertible {
  /// An option the configuration does not declare; `valid` lists the ones it does, in order.
  case unknown(owner: String, option: String, valid: [String])
  /// A value of the wrong kind or out of range; `message` says what was expected.
  case invalid(owner: String, option: String, message: String)
  /// A required option that was not given.
  case missing(owner: String, option: String)

  /// The message without the owner (a Lua binding puts it inside "bad argument #i to 'f' (...)").
  public var message: String {
    switch self {
    case .unknown(_, let option, let valid):
      return "unknown option '\(option)'; valid options: \(valid.joined(separator: ", "))"
    case .invalid(_, let option, let message):
      return "option '\(option)' \(message)"
    case .missing(_, let option):
      return "option '\(option)' is required"
    }
  }

  /// The configuration the option belongs to.
  public var owner: String {
    switch self {
    case .unknown(let owner, _, _), .invalid(let owner, _, _), .missing(let owner, _): return owner
    }
  }

  /// The message, as a user should read it: `owner: message`.
  public var description: String { "\(owner): \(message)" }
}
