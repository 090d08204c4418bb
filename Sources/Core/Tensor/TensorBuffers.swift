import LetheKernels

/// Internal plumbing shared by tensor operations: building results without zero-filling,
/// raw pointer access, and axis validation.
extension Tensor {
  /// A tensor whose elements `fill` writes (every element must be written).
  @inline(__always)
  static func build(shape: [Int], _ fill: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let n = Tensor.count(of: shape)
    if n == 0 { return Tensor(shape: shape, storage: []) }
    if n >= 1 << 15 { _ = allocatorTuned }
    let storage = [Float](unsafeUninitializedCapacity: n) { buf, initialized in
      fill(buf.baseAddress!)
      initialized = n
    }
    return Tensor(shape: shape, storage: storage)
  }

  /// A tensor whose elements the caller must all overwrite before reading.
  static func uninitialized(_ shape: [Int]) -> Tensor {
    build(shape: shape) { _ in }
  }

  /// Large results are reallocated every training step: keep freed blocks in the heap.
  static let allocatorTuned: Bool = Runtime.tuneAllocator()

  /// Calls `body` with a pointer to the elements (a dummy pointer when empty).
  @inline(__always)
  func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try storage.withUnsafeBufferPointer { buf in
      if let base = buf.baseAddress { return try body(base) }
      var dummy: Float = 0
      return try withUnsafePointer(to: &dummy) { try body($0) }
    }
  }

  /// Calls `body` with a mutable pointer to the elements.
  @inline(__always)
  mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows
    -> R
  {
    try storage.withUnsafeMutableBufferPointer { buf in
      if let base = buf.baseAddress { return try body(base) }
      var dummy: Float = 0
      return try withUnsafeMutablePointer(to: &dummy) { try body($0) }
    }
  }

  /// `axis` made non-negative, or an error naming `op` when it is outside `0..<rank`.
  static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else {
      throw TensorError.invalidArgument("\(op): axis \(axis) out of range for rank \(rank)")
    }
    return a
  }

  /// Sorted, unique, non-negative axes; empty input means every axis.
  static func normalize(axes: [Int], rank: Int, op: String) throws -> [Int] {
    if axes.isEmpty { return Array(0..<rank) }
    let a = try axes.map { try normalize(axis: $0, rank: rank, op: op) }
    guard Set(a).count == a.count else {
      throw TensorError.invalidArgument("\(op): repeated axis in \(axes)")
    }
    return a.sorted()
  }
}
