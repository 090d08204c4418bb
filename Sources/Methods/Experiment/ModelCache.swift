import Foundation

/// On-disk cache of trained models (M0 with what methods' `prepare` recorded, and M_retrain):
/// one file per key holding a JSON header line and the raw little-endian Float32 vectors.
///
/// Files are written to a temporary name and renamed, so a killed process never leaves a
/// half-written entry; an unreadable entry is treated as absent (and retrained).
public struct ModelCache: Sendable {
  /// One cached model.
  public struct Entry: Sendable, Equatable {
    /// The model's `stateVector()`.
    public var state: [Float]
    /// The model's state before training (its initialisation).
    public var initialState: [Float]
    /// Training time in seconds.
    public var seconds: Double
    /// What methods recorded while it trained.
    public var artifacts: PreparedArtifacts
    /// The methods whose `prepare` observed this training.
    public var preparedMethods: [String]

    /// An entry.
    public init(state: [Float], initialState: [Float], seconds: Double, artifacts: PreparedArtifacts = .init(),
      preparedMethods: [String] = [])
    {
      self.state = state
      self.initialState = initialState
      self.seconds = seconds
      self.artifacts = artifacts
      self.preparedMethods = preparedMethods
    }
  }

  private struct Header: Codable {
    var format = "lethe-model-cache-1"
    var stateCount: Int
    var initialCount: Int
    var seconds: Double
    var preparedMethods: [String]
    var notes: [String: [String: String]]
    var prepareSeconds: [String: Double]
    var vectors: [VectorRef]
  }

  private struct VectorRef: Codable {
    var method: String
    var name: String
    var count: Int
  }

  /// The cache folder.
  public let directory: String

  /// A cache in `directory` (created on first store).
  public init(directory: String) {
    self.directory = directory
  }

  /// The file of `key` with a kind prefix (`m0`, `retrain`).
  public func path(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)-\(key).bin" }

  /// The entry stored under `kind`/`key`, or nil when absent or unreadable.
  public func load(_ kind: String, _ key: String) -> Entry? {
    guard let data = FileManager.default.contents(atPath: path(kind, key)),
      let newline = data.firstIndex(of: UInt8(ascii: "\n")),
      let header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline])
    else { return nil }
    let total = header.stateCount + header.initialCount + header.vectors.reduce(0) { $0 + $1.count }
    let body = data[(newline + 1)...]
    guard header.format == "lethe-model-cache-1", body.count == total * 4 else { return nil }
    var floats = [Float](repeating: 0, count: total)
    floats.withUnsafeMutableBytes { _ = body.copyBytes(to: $0) }
    var offset = 0
    func take(_ n: Int) -> [Float] {
      defer { offset += n }
      return Array(floats[offset..<(offset + n)])
    }
    var artifacts = PreparedArtifacts()
    let state = take(header.stateCount)
    let initial = take(header.initialCount)
    for v in header.vectors { artifacts.store(take(v.count), method: v.method, name: v.name) }
    artifacts.notes = header.notes
    artifacts.seconds = header.prepareSeconds
    return Entry(state: state, initialState: initial, seconds: header.seconds, artifacts: artifacts,
      preparedMethods: header.preparedMethods)
  }

  /// Stores `entry` under `kind`/`key`, atomically.
  public func store(_ entry: Entry, _ kind: String, _ key: String) throws {
    let refs = entry.artifacts.vectors.keys.sorted().flatMap { m in
      entry.artifacts.vectors[m]!.keys.sorted().map { VectorRef(method: m, name: $0, count: entry.artifacts.vectors[m]![$0]!.count) }
    }
    let header = Header(
      stateCount: entry.state.count, initialCount: entry.initialState.count, seconds: entry.seconds,
      preparedMethods: entry.preparedMethods, notes: entry.artifacts.notes,
      prepareSeconds: entry.artifacts.seconds, vectors: refs)
    var data = try JSONEncoder().encode(header)
    data.append(UInt8(ascii: "\n"))
    for v in [entry.state, entry.initialState] + refs.map({ entry.artifacts.vectors[$0.method]![$0.name]! }) {
      v.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let target = path(kind, key)
      let temp = target + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
      try data.write(to: URL(fileURLWithPath: temp))
      if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
      try FileManager.default.moveItem(atPath: temp, toPath: target)
    } catch {
      throw ExperimentError.io(path: path(kind, key), message: "cannot write the model cache: \(error)")
    }
  }
}
