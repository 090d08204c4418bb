import Core
import Foundation
import Methods

/// On-disk cache of trained models (M0 with what methods' `prepare` recorded, and M_retrain),
/// written and read through `Core`'s `Checkpoint`. Each entry is two safetensors files:
///
/// - `<kind>-<key>.safetensors`: the model's state alone under PyTorch's state-dict names, so it
///   loads strictly both in PyTorch (`model.load_state_dict(safetensors.torch.load_file(path))`)
///   and in Lethe (`m:load(path)`), and describes itself in its metadata (`CheckpointMetadata`:
///   model, dataset, input normalisation, Lethe's version);
/// - `<kind>-<key>.lethe.safetensors` beside it: the initial state (under `initial.`), the
///   prepared vectors (under `prepared.<method>.<name>`) and the rest of the entry as JSON.
///
/// Each file is written to a temporary name and renamed, the companion first; both carry the
/// same entry id, so an entry whose files do not match (a process killed between the two
/// renames), an unreadable file, or one of another architecture or format version is treated
/// as absent (and retrained). A half-written file is never read: it only ever has a temporary
/// name (`.<kind>-<key>.<random>.tmp`).
///
/// Many processes on many machines may share one cache folder (a job array on a cluster's shared
/// filesystem): whoever trains an entry holds its lock (`<kind>-<key>.lock`, a `FileLock`) from
/// the moment it finds the entry missing until it has stored it, and whoever finds it locked
/// waits and then loads it, so no entry is trained twice. `open` removes the temporary files of
/// writers that died (those whose entry lock nobody holds).
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
    /// The training's counted work (`WorkMeter`), when it was measured.
    public var work: Work?
    /// The conditions `seconds` was measured under, when recorded (entries older than these
    /// fields have none, and their time is re-measured before a speedup uses it).
    public var conditions: TimingConditions?

    /// An entry.
    public init(state: [Float], initialState: [Float], seconds: Double, artifacts: PreparedArtifacts = .init(),
      preparedMethods: [String] = [], work: Work? = nil, conditions: TimingConditions? = nil)
    {
      self.state = state
      self.initialState = initialState
      self.seconds = seconds
      self.artifacts = artifacts
      self.preparedMethods = preparedMethods
      self.work = work
      self.conditions = conditions
    }
  }

  /// What the companion file's metadata holds besides its tensors.
  private struct Header: Codable {
    var format = ModelCache.format
    var entry: String
    var seconds: Double
    var preparedMethods: [String]
    var notes: [String: [String: String]]
    var prepareSeconds: [String: Double]
    var vectors: [VectorRef]
    var work: Work?
    var conditions: TimingConditions?
  }

  private struct VectorRef: Codable {
    var method: String
    var name: String
  }

  private static let format = "lethe-model-cache-3"
  /// The companion's metadata key (its header, JSON).
  private static let headerKey = "lethe_cache"
  /// The model file's metadata key naming the entry its companion must match.
  private static let entryKey = "lethe_cache_entry"
  private static let initialPrefix = "initial."
  private static let preparedPrefix = "prepared."

  /// The cache folder.
  public let directory: String

  /// A cache in `directory` (created on first store).
  public init(directory: String) {
    self.directory = directory
  }

  /// The cache in `directory`, after removing what killed writers left there: temporary files
  /// and lock files of entries whose lock no live process holds.
  public static func open(directory: String) -> ModelCache {
    let cache = ModelCache(directory: directory)
    cache.removeStaleFiles()
    return cache
  }

  /// The held lock of one entry: proof, for `store`, that the caller holds it.
  public struct EntryLock {
    fileprivate let lock: FileLock
    fileprivate let name: String
  }

  /// Runs `body` holding the lock of entry `kind`/`key`, for as long as it trains and stores
  /// the entry; when another process holds it, calls `onWait` and waits for it.
  public func withEntryLock<T>(
    _ kind: String, _ key: String, onWait: () -> Void = {}, _ body: (EntryLock) throws -> T
  ) throws -> T {
    try createDirectory()
    let path = lockPath(kind, key)
    var lock = try FileLock.acquire(path, wait: false)
    if lock == nil {
      onWait()
      lock = try FileLock.acquire(path, wait: true)
    }
    guard let lock else { throw ExperimentError.io(path: path, message: "cannot lock the cache entry") }
    defer { lock.release(removing: true) }
    return try body(EntryLock(lock: lock, name: "\(kind)-\(key)"))
  }

  /// A fresh temporary name for a file of entry `kind`/`key` (`removeStaleFiles` knows the form).
  private func temporaryPath(_ kind: String, _ key: String) -> String {
    "\(directory)/.\(kind)-\(key).\(UUID().uuidString).tmp"
  }

  /// The lock file of entry `kind`/`key`.
  public func lockPath(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)-\(key).lock" }

  /// Removes temporary files of dead writers and unheld lock files; returns the names removed.
  @discardableResult
  public func removeStaleFiles() -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    var removed: [String] = []
    var entries: [String: [String]] = [:]
    for name in names {
      if name.hasPrefix("."), name.hasSuffix(".tmp"), let entry = name.dropFirst().split(separator: ".").first {
        entries[String(entry), default: []].append(name)
      } else if name.hasSuffix(".lock"), entries[String(name.dropLast(5))] == nil {
        entries[String(name.dropLast(5))] = []
      }
    }
    for (entry, temporaries) in entries.sorted(by: { $0.key < $1.key }) {
      // A lock we get at once has no holder: its writer died, or nobody writes now.
      guard let lock = try? FileLock.acquire("\(directory)/\(entry).lock", wait: false) else { continue }
      for t in temporaries where unlink("\(directory)/\(t)") == 0 { removed.append(t) }
      lock.release(removing: true)
    }
    return removed
  }

  /// The model file of `key` with a kind prefix (`m0`, `retrain`): a plain checkpoint.
  public func path(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)-\(key).safetensors" }

  /// The companion file of `key`: initial state, prepared vectors, timings.
  public func companionPath(_ kind: String, _ key: String) -> String {
    "\(directory)/\(kind)-\(key).lethe.safetensors"
  }

  /// The entry stored under `kind`/`key` for a model shaped as `template` (which is not
  /// changed), or nil when absent, unreadable, incomplete or of another architecture.
  public func load(_ kind: String, _ key: String, model template: Learner) -> Entry? {
    TemporaryFiles.removeStale(in: directory)  // what writers killed mid-write left behind
    guard let file = try? SafeTensors.read(path: path(kind, key)),
      let companion = try? SafeTensors.read(path: companionPath(kind, key)),
      let json = companion.metadata[Self.headerKey],
      let header = try? JSONDecoder().decode(Header.self, from: Data(json.utf8)),
      header.format == Self.format, file.metadata[Self.entryKey] == header.entry
    else { return nil }
    let scratch = template.copy()
    guard (try? Checkpoint.apply(file, to: scratch.checkpointParts, strict: true, fileName: file.source)) != nil
    else { return nil }
    let state = scratch.stateVector()
    guard (try? Checkpoint.apply(
      companion, to: Self.initialParts(scratch), scope: Self.initialPrefix, strict: true,
      fileName: companion.source)) != nil
    else { return nil }
    let initial = scratch.stateVector()
    var artifacts = PreparedArtifacts()
    for v in header.vectors {
      guard let t = try? companion.float(Self.preparedPrefix + v.method + "." + v.name) else { return nil }
      artifacts.store(t.storage, method: v.method, name: v.name)
    }
    artifacts.notes = header.notes
    artifacts.seconds = header.prepareSeconds
    return Entry(state: state, initialState: initial, seconds: header.seconds, artifacts: artifacts,
      preparedMethods: header.preparedMethods, work: header.work, conditions: header.conditions)
  }

  /// Stores `entry` (states of a model shaped as `template`) under `kind`/`key`, atomically file
  /// by file, with `metadata` describing the model in its checkpoint. `lock` is the entry's lock
  /// when the caller holds it (see `withEntryLock`); without it, `store` takes it.
  public func store(
    _ entry: Entry, _ kind: String, _ key: String, model template: Learner,
    metadata: CheckpointMetadata = CheckpointMetadata(), lock: EntryLock? = nil
  ) throws {
    guard let lock, lock.name == "\(kind)-\(key)" else {
      return try withEntryLock(kind, key) {
        try store(entry, kind, key, model: template, metadata: metadata, lock: $0)
      }
    }
    let target = path(kind, key)
    let refs = entry.artifacts.vectors.keys.sorted().flatMap { m in
      (entry.artifacts.vectors[m] ?? [:]).keys.sorted().map { VectorRef(method: m, name: $0) }
    }
    let id = UUID().uuidString
    let header = Header(
      entry: id, seconds: entry.seconds, preparedMethods: entry.preparedMethods, notes: entry.artifacts.notes,
      prepareSeconds: entry.artifacts.seconds, vectors: refs, work: entry.work, conditions: entry.conditions)
    do {
      let scratch = template.copy()
      try scratch.loadStateVector(entry.initialState)
      var extra = Checkpoint.tensors(of: Self.initialParts(scratch))
      for r in refs {
        let v = entry.artifacts.vector(method: r.method, name: r.name) ?? []
        extra.append((Self.preparedPrefix + r.method + "." + r.name, .f32(Tensor(shape: [v.count], storage: v))))
      }
      try scratch.loadStateVector(entry.state)
      let json = String(decoding: try JSONEncoder().encode(header), as: UTF8.self)
      try FileIO.createFolder(directory)
      // The companion goes first: a process killed before the model file's rename leaves an
      // entry whose ids do not match, which reads as absent.
      try AtomicFile.write(
        try SafeTensors.encode(extra, metadata: [Self.headerKey: json]), to: companionPath(kind, key),
        temporary: temporaryPath(kind, key))
      try AtomicFile.write(
        try Checkpoint.encode(
          scratch.checkpointParts, metadata: metadata.fields.merging([Self.entryKey: id]) { _, new in new }),
        to: target, temporary: temporaryPath(kind, key))
    } catch let error as ExperimentError {
      throw error
    } catch {
      throw ExperimentError.io(path: target, message: "cannot write the model cache: \(FileError.describe(error))")
    }
  }

  private func createDirectory() throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw ExperimentError.io(path: directory, message: "cannot create the model cache: \(FileError.describe(error))")
    }
  }

  /// The learner's checkpoint parts under `initialPrefix`.
  private static func initialParts(_ learner: Learner) -> [Checkpoint.Part] {
    learner.checkpointParts.map { (initialPrefix + $0.prefix, $0.module) }
  }
}
