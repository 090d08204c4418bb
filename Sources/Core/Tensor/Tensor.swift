/// A dense Float32 tensor: a shape and contiguous row-major storage.
///
/// `Tensor` has value semantics; its storage is a Swift array, so copies share memory until
/// one of them is written (copy-on-write). Shapes and indices are 0-based here; the Lua bridge
/// converts to 1-based positions at the edge. A tensor of shape `[]` is a scalar.
public struct Tensor: Sendable {
  /// The extent of each axis, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `storage.count == shape.product`.
  public var storage: [Float]

  /// A tensor with the given shape and elements (row-major). Traps when the count disagrees:
  /// callers that take user input validate first (see `Tensor(validating:shape:)`).
  public init(shape: [Int], storage: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(
      storage.count == Tensor.count(of: shape),
      "storage has \(storage.count) elements, shape \(shape) needs \(Tensor.count(of: shape))")
    self.shape = shape
    self.storage = storage
  }

  /// A tensor from user-supplied values, throwing instead of trapping when they disagree.
  public init(validating storage: [Float], shape: [Int]) throws {
    guard storage.count == (try Tensor.checkedCount(of: shape)) else {
      throw TensorError.invalidShape(
        "\(storage.count) values cannot fill shape \(shape) (\(Tensor.count(of: shape)) elements)")
    }
    self.init(shape: shape, storage: storage)
  }

  /// A tensor of the given shape filled with `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, storage: [Float](repeating: value, count: Tensor.count(of: shape)))
  }

  /// A scalar (shape `[]`).
  public init(scalar: Float) {
    self.init(shape: [], storage: [scalar])
  }

  /// The number of elements a tensor of `shape` holds.
  @inlinable public static func count(of shape: [Int]) -> Int {
    shape.reduce(1, *)
  }

  /// The number of elements.
  @inlinable public var count: Int { storage.count }
  /// The number of axes.
  @inlinable public var rank: Int { shape.count }
  /// Row-major strides, in elements.
  public var strides: [Int] { Tensor.strides(of: shape) }

  /// Row-major strides of `shape`, in elements.
  public static func strides(of shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = s
      s *= shape[axis]
    }
    return strides
  }

  /// The value of a one-element tensor.
  public var scalar: Float {
    precondition(count == 1, "scalar of a tensor with \(count) elements")
    return storage[0]
  }

  /// The same elements under another shape with the same element count; one extent may be -1.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    guard newShape.count <= Tensor.maxRank else {
      throw TensorError.invalidShape("\(newShape.count) dimensions; a tensor has at most \(Tensor.maxRank)")
    }
    var resolved = newShape
    let unknown = newShape.indices.filter { newShape[$0] == -1 }
    guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }),
      (try? Tensor.checkedCount(of: newShape.map { $0 == -1 ? 1 : $0 })) != nil
    else {
      throw TensorError.invalidShape("cannot reshape \(shape) to \(newShape)")
    }
    if let u = unknown.first {
      let known = newShape.filter { $0 != -1 }.reduce(1, *)
      guard known > 0, count % known == 0 else {
        throw TensorError.invalidShape("cannot reshape \(shape) to \(newShape)")
      }
      resolved[u] = count / known
    }
    guard Tensor.count(of: resolved) == count else {
      throw TensorError.invalidShape("cannot reshape \(shape) (\(count) elements) to \(newShape)")
    }
    var t = self
    t.shape = resolved
    return t
  }
}

/// Errors raised by tensor operations on inputs a user supplied.
public enum TensorError: Error, CustomStringConvertible, Equatable {
  /// Shapes that an operation cannot combine, with a message naming both.
  case shapeMismatch(String)
  /// A shape or extent that is not valid for the operation.
  case invalidShape(String)
  /// An index outside an axis.
  case indexOutOfRange(String)
  /// Any other invalid argument.
  case invalidArgument(String)

  /// The message, as a user should read it.
  public var description: String {
    switch self {
    case .shapeMismatch(let m): return "shape mismatch: \(m)"
    case .invalidShape(let m): return "invalid shape: \(m)"
    case .indexOutOfRange(let m): return "index out of range: \(m)"
    case .invalidArgument(let m): return "invalid argument: \(m)"
    }
  }
}
