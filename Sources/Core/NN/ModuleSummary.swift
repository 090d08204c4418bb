/// The printed tree of a module: one line per module with its name, description, output shape
/// (from a forward pass on zeros) and parameter count.
extension Module {
  /// A tree with output shapes for one input sample of shape `inputShape` (no batch axis;
  /// a batch of one is run in evaluation mode without gradients, then the mode is restored).
  public func summary(inputShape: [Int]) throws -> String {
    guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
      throw ModuleError.invalidInput("summary needs a positive input shape, got \(inputShape)")
    }
    try Tensor.validate(shape: [1] + inputShape)
    for (_, m) in namedModules() { m.lastOutputShape = nil }
    let input = Variable(Tensor(repeating: 0, shape: [1] + inputShape))
    _ = try inEvaluationMode { try GradMode.withoutGrad { try self(input) } }
    return treeText(header: "input [1, \(inputShape.map(String.init).joined(separator: ", "))]")
  }

  /// A tree without shapes.
  public var treeDescription: String { treeText(header: nil) }

  private func treeText(header: String?) -> String {
    var lines: [String] = []
    if let h = header { lines.append(h) }
    appendLines(name: "", depth: 0, into: &lines)
    lines.append("total parameters: \(Module.grouped(parameterCount))")
    return lines.joined(separator: "\n")
  }

  private func appendLines(name: String, depth: Int, into lines: inout [String]) {
    var line = String(repeating: "  ", count: depth)
    line += name.isEmpty ? layerDescription : "(\(name)) \(layerDescription)"
    if let s = lastOutputShape { line += "  -> [\(s.map(String.init).joined(separator: ", "))]" }
    let count = parameterCount
    if count > 0 { line += "  \(Module.grouped(count)) params" }
    lines.append(line)
    for (childName, child) in children {
      child.appendLines(name: childName, depth: depth + 1, into: &lines)
    }
  }

  /// 11173962 → "11,173,962".
  static func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return out
  }
}

extension Module: CustomStringConvertible {
  /// The module tree with parameter counts (shapes appear after a forward pass or `summary`).
  public var description: String { treeDescription }
}
