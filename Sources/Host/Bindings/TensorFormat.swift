import Core
import Foundation

/// How tensors print in Lua (`tostring`, the REPL): values with shape, elided when large.
enum TensorFormat {
  /// At most this many entries per axis are shown before eliding the middle with `...`.
  static let edge = 3
  /// Tensors with more elements than this are elided.
  static let fullLimit = 64

  /// `tensor([[1, 2], [3, 4]], shape {2, 2})`, with `requires_grad` when set.
  static func describe(_ v: Variable) -> String {
    let t = v.value
    var body = ""
    if t.rank == 0 {
      body = number(t.storage[0])
    } else {
      append(t, axis: 0, offset: 0, indent: 7, into: &body, elide: t.count > fullLimit)
    }
    let shape = "{" + t.shape.map(String.init).joined(separator: ", ") + "}"
    return "tensor(\(body), shape \(shape)\(v.requiresGrad ? ", requires_grad" : ""))"
  }

  static func number(_ x: Float) -> String {
    if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
    return String(format: "%.4g", Double(x))
  }

  private static func append(
    _ t: Tensor, axis: Int, offset: Int, indent: Int, into out: inout String, elide: Bool
  ) {
    let n = t.shape[axis]
    let stride = t.strides[axis]
    var positions = Array(0..<n)
    if elide && n > 2 * edge { positions = Array(0..<edge) + [-1] + Array((n - edge)..<n) }
    out += "["
    for (k, p) in positions.enumerated() {
      if k > 0 {
        out += axis == t.rank - 1 ? ", " : ",\n" + String(repeating: " ", count: indent + axis + 1)
      }
      if p < 0 {
        out += "..."
        continue
      }
      if axis == t.rank - 1 {
        out += number(t.storage[offset + p * stride])
      } else {
        append(t, axis: axis + 1, offset: offset + p * stride, indent: indent, into: &out, elide: elide)
      }
    }
    out += "]"
  }
}
