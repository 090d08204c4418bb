extension Module {
  /// Writes `value` into the parameter called `name` in place, outside the autograd graph (its
  /// `Variable`, and anything sharing it, sees the new values); throws for an unknown name or a
  /// different shape.
  public func setParameter(named name: String, to value: Tensor) throws {
    guard let p = parameter(named: name) else {
      throw ModuleError.stateMismatch("no parameter named '\(name)'")
    }
    guard value.shape == p.value.shape else {
      throw ModuleError.stateMismatch("\(name) has shape \(p.value.shape), got a value of shape \(value.shape)")
    }
    p.value.storage.withUnsafeMutableBufferPointer { dst in
      value.storage.withUnsafeBufferPointer { src in
        if let d = dst.baseAddress, let s = src.baseAddress { d.update(from: s, count: src.count) }
      }
    }
  }
}
