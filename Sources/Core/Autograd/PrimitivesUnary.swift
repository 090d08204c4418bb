import LetheKernels

/// Elementwise maps of one variable.
extension Primitives {
  static func neg(_ a: Variable) -> Variable {
    record("neg", -a.value, [a]) { g, _ in [-g] }
  }

  static func exp(_ a: Variable) -> Variable {
    let y = a.value.exp()
    return record("exp", y, [a]) { g, _ in [try g * y] }
  }

  static func log(_ a: Variable) -> Variable {
    let x = a.value
    return record("log", x.log(), [a]) { g, _ in [try g / x] }
  }

  static func sqrt(_ a: Variable) -> Variable {
    let y = a.value.sqrt()
    return record("sqrt", y, [a]) { g, _ in [try g / (y * 2)] }
  }

  static func pow(_ a: Variable, _ p: Float) -> Variable {
    let x = a.value
    return record("pow", x.pow(p), [a]) { g, _ in [try g * (x.pow(p - 1) * p)] }
  }

  static func relu(_ a: Variable) -> Variable {
    let x = a.value
    return record("relu", x.relu(), [a]) { g, _ in
      [
        x.withPointer { xp in
          g.withPointer { gp in
            Tensor.build(shape: x.shape) { Elementwise.reluBackward(gp, xp, $0, count: x.count) }
          }
        }
      ]
    }
  }

  static func tanh(_ a: Variable) -> Variable {
    let y = a.value.tanh()
    return record("tanh", y, [a]) { g, _ in
      [
        y.withPointer { yp in
          g.withPointer { gp in
            Tensor.build(shape: y.shape) { Elementwise.tanhBackward(gp, yp, $0, count: y.count) }
          }
        }
      ]
    }
  }

  static func sigmoid(_ a: Variable) -> Variable {
    let y = a.value.sigmoid()
    return record("sigmoid", y, [a]) { g, _ in
      [
        y.withPointer { yp in
          g.withPointer { gp in
            Tensor.build(shape: y.shape) { Elementwise.sigmoidBackward(gp, yp, $0, count: y.count) }
          }
        }
      ]
    }
  }
}
