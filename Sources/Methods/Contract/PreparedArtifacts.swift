/// What methods recorded while M0 trained: named float vectors (checkpoints, gradients) and
/// named strings, grouped by the method that recorded them. Cached with M0.
public struct PreparedArtifacts: Sendable, Equatable, Codable {
  /// Vectors by method name, then by entry name (e.g. "epoch.1").
  public var vectors: [String: [String: [Float]]] = [:]
  /// Notes by method name, then by entry name.
  public var notes: [String: [String: String]] = [:]
  /// Seconds each method's observer spent in hooks (its preparation cost).
  public var seconds: [String: Double] = [:]

  /// Empty artifacts.
  public init() {}

  /// Stores `vector` under `method` / `name`.
  public mutating func store(_ vector: [Float], method: String, name: String) {
    vectors[method, default: [:]][name] = vector
  }

  /// The vector `method` stored as `name`, or nil.
  public func vector(method: String, name: String) -> [Float]? {
    vectors[method]?[name]
  }
}
