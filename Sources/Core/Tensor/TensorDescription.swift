/// Printing tensors: the shape and the leading values (the REPL's `__tostring`).
extension Tensor: CustomStringConvertible {
  /// "Tensor[2, 3] [1, 2, 3, 4, 5, 6]", eliding after 16 values.
  public var description: String {
    let shown = storage.prefix(16).map { v -> String in
      v == v.rounded() && Swift.abs(v) < 1e7 ? String(Int(v)) : String(v)
    }
    let more = count > 16 ? ", … (\(count) values)" : ""
    return "Tensor\(shape) [\(shown.joined(separator: ", "))\(more)]"
  }
}
