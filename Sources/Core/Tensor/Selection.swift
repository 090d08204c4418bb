/// Elementwise selection and tests with PyTorch's semantics: `sign`, `isFinite`,
/// `where(mask, a, b)`, and order statistics of all elements (`kthSmallest`).
extension Tensor {
  /// −1, 0 or 1 by the sign of each element; NaN stays NaN (`torch.sign`).
  public func sign() -> Tensor {
    withPointer { x in
      Tensor.build(shape: shape) { out in
        for i in 0..<count {
          let v = x[i]
          out[i] = v > 0 ? 1 : (v < 0 ? -1 : v)  // 0 stays 0, −0 stays −0, NaN stays NaN
        }
      }
    }
  }

  /// 1 where the element is neither infinite nor NaN, else 0 (`torch.isfinite`, as 0/1 values).
  public func isFinite() -> Tensor {
    // x·0 is 0 exactly for finite x and NaN for ±∞ and NaN; both steps are vectorised kernels.
    (self * 0).equal(0)
  }

  /// Whether every element is finite (true for an empty tensor).
  public var isAllFinite: Bool {
    // Σ x·0 is 0 when every element is finite and NaN otherwise.
    ((try? (self * 0).sum())?.storage.first ?? 0) == 0
  }

  /// The k-th smallest element (1-based k) of all elements, NaN counting as the largest
  /// (`torch.kthvalue` of the flattened tensor); throws when k is outside 1...count.
  public func kthSmallest(_ k: Int) throws -> Float {
    guard k >= 1, k <= count else {
      throw TensorError.invalidArgument("kthvalue: k = \(k) outside 1...\(count)")
    }
    let sorted = storage.sorted { a, b in b.isNaN ? !a.isNaN : a < b }
    return sorted[k - 1]
  }

  /// `a` where `mask` is non-zero, else `b`, broadcasting all three (`torch.where`).
  public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    let shape: [Int]
    do {
      shape = try broadcastShape(broadcastShape(mask.shape, a.shape), b.shape)
    } catch {
      throw TensorError.shapeMismatch("where: cannot broadcast mask \(mask.shape), \(a.shape) and \(b.shape)")
    }
    let m = try mask.broadcast(to: shape), x = try a.broadcast(to: shape), y = try b.broadcast(to: shape)
    return m.withPointer { mp in
      x.withPointer { xp in
        y.withPointer { yp in
          Tensor.build(shape: shape) { out in
            for i in 0..<m.count { out[i] = mp[i] != 0 ? xp[i] : yp[i] }
          }
        }
      }
    }
  }
}
