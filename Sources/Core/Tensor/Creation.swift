/// Creating tensors: constants, ranges, seeded random values, Swift arrays.
extension Tensor {
  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

  /// A tensor of ones.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

  /// A tensor filled with `value`.
  public static func full(_ shape: [Int], value: Float) -> Tensor {
    Tensor(repeating: value, shape: shape)
  }

  /// The 1-D tensor `[0, 1, ..., end − 1]` (empty when end ≤ 0).
  public static func arange(_ end: Int) -> Tensor {
    let n = Swift.max(0, end)
    return Tensor(shape: [n], storage: (0..<n).map(Float.init))
  }

  /// The 1-D tensor `start, start + step, ...` below `end` (above it when step < 0).
  public static func arange(start: Float, end: Float, step: Float = 1) throws -> Tensor {
    guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
      throw TensorError.invalidArgument("arange: step must be finite and non-zero, got \(step)")
    }
    let steps = ((end - start) / step).rounded(.up)
    guard steps < Float(maxElementCount) else {
      throw TensorError.invalidArgument("arange: \(start)..<\(end) by \(step) is too long")
    }
    let n = Swift.max(0, Int(steps))
    return Tensor(shape: [n], storage: (0..<n).map { start + Float($0) * step })
  }

  /// Uniform values in [low, high) drawn from `rng` (same seed, same tensor).
  public static func uniform(
    _ shape: [Int], low: Float = 0, high: Float = 1, rng: inout RandomGenerator
  ) -> Tensor {
    let n = Tensor.count(of: shape)
    var values = [Float](repeating: 0, count: n)
    let width = high - low
    for i in 0..<n { values[i] = low + width * rng.nextUniform() }
    return Tensor(shape: shape, storage: values)
  }

  /// Normal values with the given mean and standard deviation, drawn from `rng`.
  public static func normal(
    _ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomGenerator
  ) -> Tensor {
    let n = Tensor.count(of: shape)
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n { values[i] = mean + std * rng.nextNormal() }
    return Tensor(shape: shape, storage: values)
  }

  /// A 1-D tensor of the given values.
  public init(_ values: [Float]) {
    self.init(shape: [values.count], storage: values)
  }

  /// A 2-D tensor from rows of equal length (ragged rows throw).
  public init(_ rows: [[Float]]) throws {
    let width = rows.first?.count ?? 0
    guard rows.allSatisfy({ $0.count == width }) else {
      throw TensorError.invalidShape("rows of unequal lengths \(rows.map(\.count))")
    }
    self.init(shape: [rows.count, width], storage: rows.flatMap { $0 })
  }

  /// A 1-D tensor of the given integers as Float values.
  public static func fromInts(_ values: [Int]) -> Tensor {
    Tensor(shape: [values.count], storage: values.map(Float.init))
  }
}
