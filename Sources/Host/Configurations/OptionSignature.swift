import Core

extension Array where Element == OptionSpec {
  /// The options as a binding's signature shows them: `{epochs = 1, lr, unit = 'epoch'|'step',
  /// eval = object}` (a bare name has no default: it is required, or optional with nothing in its
  /// place; a choice lists its names, the default first).
  var luaSignature: String {
    let parts = map { spec -> String in
      switch spec.kind {
      case .table: return "\(spec.name) = {...}"
      case .function: return "\(spec.name) = function"
      case .object: return "\(spec.name) = object"
      default:
        if let choices = spec.choices {
          let d = spec.defaultValue?.stringValue
          let ordered = choices.filter { $0 == d } + choices.filter { $0 != d }
          return "\(spec.name) = " + ordered.map { "'\($0)'" }.joined(separator: "|")
        }
        guard let d = spec.defaultValue else { return spec.name }
        if case .string(let s) = d { return "\(spec.name) = '\(s)'" }
        return "\(spec.name) = \(d)"
      }
    }
    return "{" + parts.joined(separator: ", ") + "}"
  }
}
