/// Single elements and whole rows, read and written in place by position (0-based).
extension Tensor {
  /// The row-major offset of the element at `indices`, one 0-based index per axis.
  public func offset(of indices: [Int]) throws -> Int {
    guard indices.count == rank else {
      throw TensorError.invalidArgument("\(rank) indices expected for shape \(shape), got \(indices.count)")
    }
    var offset = 0
    for (axis, (k, stride)) in zip(indices, strides).enumerated() {
      guard k >= 0, k < shape[axis] else {
        throw TensorError.indexOutOfRange("index \(k) on axis \(axis) of extent \(shape[axis])")
      }
      offset += k * stride
    }
    return offset
  }

  /// The element at `indices` (one 0-based index per axis).
  public func element(at indices: [Int]) throws -> Float {
    storage[try offset(of: indices)]
  }

  /// Writes the element at `indices` (one 0-based index per axis).
  public mutating func setElement(at indices: [Int], to value: Float) throws {
    storage[try offset(of: indices)] = value
  }

  /// The elements of row `row` (position `row` along the first axis): their range in `storage`.
  public func rowRange(_ row: Int) throws -> Range<Int> {
    guard rank > 0 else { throw TensorError.invalidArgument("a scalar has no rows") }
    guard row >= 0, row < shape[0] else {
      throw TensorError.indexOutOfRange("row \(row) of \(shape[0])")
    }
    let size = shape[0] == 0 ? 0 : count / shape[0]
    return row * size..<(row + 1) * size
  }

  /// Sets every element of row `row` to `value`.
  public mutating func setRow(_ row: Int, to value: Float) throws {
    let range = try rowRange(row)
    storage.withUnsafeMutableBufferPointer { s in
      s.baseAddress.map { ($0 + range.lowerBound).update(repeating: value, count: range.count) }
    }
  }

  /// Writes row `row` from `values`, which holds exactly one row's elements (in any shape).
  public mutating func setRow(_ row: Int, from values: Tensor) throws {
    let range = try rowRange(row)
    guard values.count == range.count else {
      throw TensorError.shapeMismatch(
        "\(range.count) values expected for a row of shape \(Array(shape.dropFirst())), got \(values.count)")
    }
    storage.replaceSubrange(range, with: values.storage)
  }
}
