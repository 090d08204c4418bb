import Foundation

/// Printing tensors (the REPL's `__tostring`, Swift's `print`): values nested by axis with the
/// shape, `tensor([[1, 2], [3, 4]], shape {2, 2})`; the middle of long axes is elided with `...`
/// when the tensor has more than `fullLimit` elements.
extension Tensor: CustomStringConvertible {
  /// At most this many entries per axis are shown on each side of an elision.
  static let edge = 3
  /// Tensors with more elements than this are elided.
  static let fullLimit = 64

  /// `tensor([[1, 2], [3, 4]], shape {2, 2})`.
  public var description: String { describe(flags: []) }

  /// The description with `flags` (such as "requires_grad") after the shape.
  func describe(flags: [String]) -> String {
    var body = ""
    if rank == 0 {
      body = Tensor.format(storage[0])
    } else {
      append(axis: 0, offset: 0, indent: 7, into: &body, elide: count > Tensor.fullLimit)
    }
    let shape = "{" + self.shape.map(String.init).joined(separator: ", ") + "}"
    return "tensor(\(body), shape \(shape)" + flags.map { ", \($0)" }.joined() + ")"
  }

  /// A whole number as an integer, anything else with four significant digits.
  static func format(_ x: Float) -> String {
    if x == x.rounded(), Swift.abs(x) < 1e7 { return String(Int(x)) }
    return String(format: "%.4g", Double(x))
  }

  private func append(axis: Int, offset: Int, indent: Int, into out: inout String, elide: Bool) {
    let n = shape[axis]
    let stride = strides[axis]
    var positions = Array(0..<n)
    if elide && n > 2 * Tensor.edge { positions = Array(0..<Tensor.edge) + [-1] + Array((n - Tensor.edge)..<n) }
    out += "["
    for (k, p) in positions.enumerated() {
      if k > 0 {
        out += axis == rank - 1 ? ", " : ",\n" + String(repeating: " ", count: indent + axis + 1)
      }
      if p < 0 {
        out += "..."
        continue
      }
      if axis == rank - 1 {
        out += Tensor.format(storage[offset + p * stride])
      } else {
        append(axis: axis + 1, offset: offset + p * stride, indent: indent, into: &out, elide: elide)
      }
    }
    out += "]"
  }
}

extension Variable: CustomStringConvertible {
  /// The value's description, with `requires_grad` when gradients flow to it.
  public var description: String { value.describe(flags: requiresGrad ? ["requires_grad"] : []) }
}
