/// Primitives that select between values — |x|, clamping, elementwise extrema, `where` — and the
/// Euclidean norm, with PyTorch's gradient rules (derivatives.yaml): |x| passes sign(x)·g (0 at 0);
/// clamp passes g where lo ≤ x ≤ hi; maximum/minimum give g to the larger (smaller) input and
/// g/2 to each on a tie; where passes g to the chosen input; the norm's gradient is g·x/‖x‖, and
/// 0 when ‖x‖ = 0.
extension Primitives {
  static func abs(_ a: Variable) -> Variable {
    let x = a.value
    return record("abs", x.abs(), [a]) { g, _ in [try g * (x.greater(0) - x.less(0))] }
  }

  static func clamp(_ a: Variable, min low: Float, max high: Float) throws -> Variable {
    guard !(low > high) else { throw TensorError.invalidArgument("clamp: min \(low) is greater than max \(high)") }
    let x = a.value
    return record("clamp", x.clamped(min: low, max: high), [a]) { g, _ in
      // 1 inside [low, high], 0 outside: the two outside masks are disjoint.
      [try g * (1 - x.less(low) - x.greater(high))]
    }
  }

  /// maximum (`larger` true) or minimum of two broadcast inputs.
  static func extremum(_ a: Variable, _ b: Variable, larger: Bool) throws -> Variable {
    let (x, y) = (a.value, b.value)
    let out = larger ? try x.maximum(y) : try x.minimum(y)
    return record(larger ? "maximum" : "minimum", out, [a, b]) { g, n in
      let shape = g.shape
      let (xb, yb) = (try x.broadcast(to: shape), try y.broadcast(to: shape))
      let wins = larger ? try xb.greater(yb) : try xb.less(yb)
      let ties = try xb.equal(yb) * 0.5
      let toX = try wins + ties
      return [
        n[0] ? try (g * toX).reduced(toShape: x.shape) : nil,
        n[1] ? try (g * (1 - toX)).reduced(toShape: y.shape) : nil,
      ]
    }
  }

  static func select(_ mask: Tensor, _ a: Variable, _ b: Variable) throws -> Variable {
    let (sa, sb) = (a.shape, b.shape)
    let out = try Tensor.where(mask, a.value, b.value)
    let chosen = 1 - mask.equal(0)
    return record("where", out, [a, b]) { g, n in
      let m = try chosen.broadcast(to: g.shape)
      return [
        n[0] ? try (g * m).reduced(toShape: sa) : nil,
        n[1] ? try (g * (1 - m)).reduced(toShape: sb) : nil,
      ]
    }
  }

  /// ‖x‖₂ over all elements, a one-element tensor of shape [].
  static func norm(_ a: Variable) -> Variable {
    let x = a.value
    let n = Float(x.norm)
    return record("norm", Tensor(scalar: n), [a]) { g, _ in
      guard n > 0 else { return [Tensor.zeros(x.shape)] }
      return [x * (g.storage[0] / n)]
    }
  }
}
