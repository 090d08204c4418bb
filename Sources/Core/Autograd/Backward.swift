import LetheKernels

/// Reverse-mode differentiation: walks the recorded graph from a root variable.
extension Variable {
  /// Backpropagates from this variable: adds ∂(seed·self)/∂v into `grad` of every leaf `v` with
  /// `requiresGrad` (parameters and inputs alike) and of non-leaves that called `retainGrad()`.
  /// The seed defaults to 1 and may be omitted only for a one-element variable.
  public func backward(_ seed: Tensor? = nil) throws {
    guard requiresGrad else {
      throw TensorError.invalidArgument("backward: the variable does not require gradients")
    }
    let g0: Tensor
    if let seed {
      guard seed.shape == value.shape else {
        throw TensorError.shapeMismatch("backward: seed \(seed.shape) for a value of \(value.shape)")
      }
      g0 = seed
    } else {
      guard value.count == 1 else {
        throw TensorError.invalidArgument(
          "backward: a value of shape \(value.shape) needs an explicit seed gradient")
      }
      g0 = Tensor.ones(value.shape)
    }
    let order = topologicalOrder()
    var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): g0]
    for v in order {
      guard let g = pending.removeValue(forKey: ObjectIdentifier(v)) else { continue }
      if v.creator == nil || v.retainsGrad {
        if v.grad == nil { v.grad = g } else { v.grad!.addInPlace(g) }
      }
      guard let node = v.creator else { continue }
      let grads = try node.backward(g)
      for (input, gi) in zip(node.inputs, grads) where input.requiresGrad {
        guard let gi else { continue }
        precondition(
          gi.shape == input.shape,
          "\(node.name): gradient \(gi.shape) for an input of \(input.shape)")
        let key = ObjectIdentifier(input)
        if pending[key] == nil { pending[key] = gi } else { pending[key]!.addInPlace(gi) }
      }
    }
  }

  /// Variables reachable from this one that need gradients, each after all its consumers.
  func topologicalOrder() -> [Variable] {
    var post: [Variable] = []
    var seen = Set<ObjectIdentifier>()
    var stack: [(Variable, Int)] = [(self, 0)]
    seen.insert(ObjectIdentifier(self))
    while let (v, next) = stack.popLast() {
      let inputs = v.creator?.inputs ?? []
      if next < inputs.count {
        stack.append((v, next + 1))
        let child = inputs[next]
        if child.requiresGrad && seen.insert(ObjectIdentifier(child)).inserted {
          stack.append((child, 0))
        }
      } else {
        post.append(v)
      }
    }
    return post.reversed()
  }
}

extension Tensor {
  /// self += other (equal shapes), in place.
  mutating func addInPlace(_ other: Tensor) {
    precondition(shape == other.shape, "addInPlace: \(shape) and \(other.shape)")
    let n = count
    other.withPointer { src in
      withMutablePointer { dst in Elementwise.axpy(1, src, dst, count: n) }
    }
  }
}
