/// Broadcasting arithmetic: each gradient is reduced back to its operand's shape.
extension Primitives {
  static func add(_ a: Variable, _ b: Variable) throws -> Variable {
    let (sa, sb) = (a.shape, b.shape)
    return record("add", try a.value + b.value, [a, b]) { g, n in
      [n[0] ? try g.reduced(toShape: sa) : nil, n[1] ? try g.reduced(toShape: sb) : nil]
    }
  }

  static func sub(_ a: Variable, _ b: Variable) throws -> Variable {
    let (sa, sb) = (a.shape, b.shape)
    return record("sub", try a.value - b.value, [a, b]) { g, n in
      [n[0] ? try g.reduced(toShape: sa) : nil, n[1] ? try (-g).reduced(toShape: sb) : nil]
    }
  }

  static func mul(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (a.value, b.value)
    return record("mul", try x * y, [a, b]) { g, n in
      [
        n[0] ? try (g * y).reduced(toShape: x.shape) : nil,
        n[1] ? try (g * x).reduced(toShape: y.shape) : nil,
      ]
    }
  }

  static func div(_ a: Variable, _ b: Variable) throws -> Variable {
    let (x, y) = (a.value, b.value)
    let out = try x / y
    return record("div", out, [a, b]) { g, n in
      [
        n[0] ? try (g / y).reduced(toShape: x.shape) : nil,
        // ∂(x/y)/∂y = −(x/y)/y
        n[1] ? try (-(try g * out) / y).reduced(toShape: y.shape) : nil,
      ]
    }
  }

  /// x · scale + shift (scalar affine map: covers adding, subtracting and scaling by scalars).
  static func affine(_ a: Variable, scale: Float, shift: Float) -> Variable {
    record("affine", a.value.affine(scale: scale, shift: shift), [a]) { g, _ in [g * scale] }
  }
}
