/// The gradient of max-pool(relu(y)) with respect to y, kept in pooled form: the pooled
/// output's gradient, the argmax indices and the pooled output. `expand` writes one plane of
/// the full gradient: each pooled gradient at its argmax where the pooled output is positive
/// (max commutes with ReLU, so that is where relu's input was positive), 0 elsewhere.
public struct PooledReLUGradient {
  /// Gradient of the pooled output, [planes, outH·outW].
  public let gradient: UnsafePointer<Float>
  /// Argmax offset inside its input plane, per pooled output (as from `Pool.maxForward`).
  public let index: UnsafePointer<Int32>
  /// The pooled output.
  public let output: UnsafePointer<Float>
  /// Pooled outputs per plane.
  public let pooledPerPlane: Int

  /// Wraps the three arrays of `planes × pooledPerPlane` values each.
  public init(
    gradient: UnsafePointer<Float>, index: UnsafePointer<Int32>, output: UnsafePointer<Float>,
    pooledPerPlane: Int
  ) {
    self.gradient = gradient
    self.index = index
    self.output = output
    self.pooledPerPlane = pooledPerPlane
  }

  /// Writes plane `plane` of the full gradient (`positions` values) into `dst`.
  @inline(__always)
  func expand(plane: Int, into dst: UnsafeMutablePointer<Float>, positions: Int) {
    dst.update(repeating: 0, count: positions)
    let base = plane * pooledPerPlane
    let g = gradient + base, idx = index + base, y = output + base
    // A select, not a branch: whether a ReLU output is positive is a coin toss to the predictor.
    for i in 0..<pooledPerPlane { dst[Int(idx[i])] += y[i] > 0 ? g[i] : 0 }
  }
}
