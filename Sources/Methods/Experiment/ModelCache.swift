import Core
import Foundation

/// On-disk cache of trained models (M0 with what methods' `prepare` recorded, and M_retrain):
/// one safetensors checkpoint per key, written through `Core`'s `Checkpoint` (PyTorch names).
///
/// Files are written to a temporary name and renamed, so a killed process never leaves a
/// half-written entry; an unreadable entry, or one of another architecture or format version,
/// is treated as absent (and retrained).
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

  /// What the safetensors metadata holds besides the tensors.
  private struct Header: Codable {
    var format = ModelCache.format
    var seconds: Double
    var preparedMethods: [String]
    var notes: [String: [String: String]]
    var prepareSeconds: [String: Double]
    var vectors: [VectorRef]
  }

  private struct VectorRef: Codable {
    var method: String
    var name: String
  }

  private static let format = "lethe-model-cache-2"
  private static let metadataKey = "lethe.cache"
  private static let initialPrefix = "lethe.initial."
  private static let preparedPrefix = "lethe.prepared."

  /// The cache folder.
  public let directory: String

  /// A cache in `directory` (created on first store).
  public init(directory: String) {
    self.directory = directory
  }

  /// The file of `key` with a kind prefix (`m0`, `retrain`).
  public func path(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)-\(key).safetensors" }

  /// The entry stored under `kind`/`key` for a model shaped as `template` (which is not
  /// changed), or nil when absent, unreadable or of another architecture.
  public func load(_ kind: String, _ key: String, model template: Learner) -> Entry? {
    guard let module = (template as? ModuleLearner)?.module,
      let file = try? SafeTensors.read(path: path(kind, key)),
      let json = file.metadata[Self.metadataKey],
      let header = try? JSONDecoder().decode(Header.self, from: Data(json.utf8)),
      header.format == Self.format
    else { return nil }
    let scratch = ModuleLearner(module.clone(), classCount: template.classCount)
    // The model's own tensors must all be present under their PyTorch names.
    guard Checkpoint.tensors(of: scratch.module).allSatisfy({ file[$0.0] != nil }),
      (try? Checkpoint.apply(file, to: scratch.module, strict: false, fileName: file.source)) != nil
    else { return nil }
    let state = scratch.stateVector()
    guard (try? Checkpoint.apply(
      file, to: scratch.module, prefix: Self.initialPrefix, strict: true, fileName: file.source)) != nil
    else { return nil }
    let initial = scratch.stateVector()
    var artifacts = PreparedArtifacts()
    for v in header.vectors {
      guard let t = try? file.float(Self.preparedPrefix + v.method + "." + v.name) else { return nil }
      artifacts.store(t.storage, method: v.method, name: v.name)
    }
    artifacts.notes = header.notes
    artifacts.seconds = header.prepareSeconds
    return Entry(state: state, initialState: initial, seconds: header.seconds, artifacts: artifacts,
      preparedMethods: header.preparedMethods)
  }

  /// Stores `entry` (states of a model shaped as `template`) under `kind`/`key`, atomically: a
  /// safetensors checkpoint whose model tensors carry PyTorch's state-dict names (loadable with
  /// `safetensors.torch.load_file` + `load_state_dict(strict=False)`), the initial state under
  /// `lethe.initial.`, prepared vectors under `lethe.prepared.<method>.<name>`, and the rest as
  /// JSON metadata.
  public func store(_ entry: Entry, _ kind: String, _ key: String, model template: Learner) throws {
    let target = path(kind, key)
    guard let module = (template as? ModuleLearner)?.module else {
      throw ExperimentError.io(path: target, message: "only Core modules can be cached")
    }
    let refs = entry.artifacts.vectors.keys.sorted().flatMap { m in
      entry.artifacts.vectors[m]!.keys.sorted().map { VectorRef(method: m, name: $0) }
    }
    let header = Header(
      seconds: entry.seconds, preparedMethods: entry.preparedMethods, notes: entry.artifacts.notes,
      prepareSeconds: entry.artifacts.seconds, vectors: refs)
    do {
      let scratch = ModuleLearner(module.clone(), classCount: template.classCount)
      try scratch.loadStateVector(entry.state)
      var tensors = Checkpoint.tensors(of: scratch.module)
      try scratch.loadStateVector(entry.initialState)
      tensors += Checkpoint.tensors(of: scratch.module, prefix: Self.initialPrefix)
      for r in refs {
        let v = entry.artifacts.vectors[r.method]![r.name]!
        let name = Self.preparedPrefix + r.method + "." + r.name
        tensors.append((name, .f32(Tensor(shape: [v.count], storage: v))))
      }
      let json = String(decoding: try JSONEncoder().encode(header), as: UTF8.self)
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      // SafeTensors.write goes through a temporary file and a rename: a killed process never
      // leaves a half-written entry.
      try SafeTensors.write(tensors, metadata: [Self.metadataKey: json], to: URL(fileURLWithPath: target))
    } catch {
      throw ExperimentError.io(path: target, message: "cannot write the model cache: \(error)")
    }
  }
}
