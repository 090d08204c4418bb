import Foundation

/// Lethe's own cache of decoded datasets: `$LETHE_CACHE`, else `$XDG_CACHE_HOME/lethe`, else
/// `~/.cache/lethe`. Entries are keyed by a recipe and the source files' sizes and SHA-256
/// checksums, so a changed source is decoded afresh. Nothing is ever written beside the sources.
public struct DataCache: Sendable {
  /// The cache's root folder.
  public let directory: String

  /// The cache at `directory`, or at the default place for `environment`.
  public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let directory {
      self.directory = directory
    } else if let d = environment["LETHE_CACHE"], !d.isEmpty {
      self.directory = d
    } else if let x = environment["XDG_CACHE_HOME"], !x.isEmpty {
      self.directory = x + "/lethe"
    } else {
      self.directory = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/lethe"
    }
  }

  /// A key over a recipe (what is decoded, how) and the sources' sizes and checksums.
  public static func key(recipe: String, sources: [String]) throws -> String {
    var h = SHA256()
    h.update("lethe-cache-v1|\(recipe)|")
    for path in sources {
      let bytes = try FileBytes.read(path)
      h.update("\((path as NSString).lastPathComponent)|\(bytes.count)|\(SHA256.hex(of: bytes))|")
    }
    return h.finalizeHex()
  }

  private func path(_ key: String, _ part: String) -> String { "\(directory)/datasets/\(key)-\(part).ldset" }

  /// The cached datasets for `key` (one per part), or nil when any part is absent or unreadable.
  public func load(key: String, parts: [String]) -> [Dataset]? {
    var out: [Dataset] = []
    for part in parts {
      guard let bytes = try? FileBytes.read(path(key, part)), let d = try? CachedDataset.decode(bytes) else {
        return nil
      }
      out.append(d)
    }
    return out
  }

  /// Stores `datasets` under `key` (written to a temporary file, then renamed into place).
  public func store(_ datasets: [Dataset], key: String, parts: [String]) throws {
    let folder = directory + "/datasets"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      for (d, part) in zip(datasets, parts) {
        let target = path(key, part)
        let temporary = target + ".tmp\(getpid())"
        try Data(CachedDataset.encode(d)).write(to: URL(fileURLWithPath: temporary))
        _ = try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: temporary, toPath: target)
      }
    } catch {
      throw DataError.unreadable(file: folder, problem: "cannot write the cache: \(error.localizedDescription)")
    }
  }

  /// Loads through the cache: the cached parts when present, else `build()`, stored for next time.
  /// A cache that cannot be written is not an error (the data is still returned).
  public func cached(recipe: String, sources: [String], parts: [String],
                     build: () throws -> [Dataset]) throws -> (datasets: [Dataset], fromCache: Bool) {
    let key = try DataCache.key(recipe: recipe, sources: sources)
    if let hit = load(key: key, parts: parts) { return (hit, true) }
    let built = try build()
    try? store(built, key: key, parts: parts)
    return (built, false)
  }
}

/// The cache's file format: magic "LETHEDS1", a little-endian UInt64 header length, a JSON header,
/// Int32 labels, then the stored samples (bytes or Float32).
enum CachedDataset {
  struct Header: Codable {
    var name: String
    var sampleShape: [Int]
    var classCount: Int
    var classNames: [String]
    var count: Int
    var scale: Float?
    var isSynthetic: Bool
    var origin: String
  }

  static let magic = Array("LETHEDS1".utf8)

  static func encode(_ d: Dataset) throws -> [UInt8] {
    var scale: Float?
    if case .bytes(_, let s) = d.storage { scale = s }
    let header = try JSONEncoder().encode(Header(
      name: d.name, sampleShape: d.sampleShape, classCount: d.classCount, classNames: d.classNames,
      count: d.sampleCount, scale: scale, isSynthetic: d.isSynthetic, origin: d.origin))
    var out = magic
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    d.labels.withUnsafeBytes { out.append(contentsOf: $0) }
    switch d.storage {
    case .bytes(let b, _): out.append(contentsOf: b)
    case .floats(let f): f.withUnsafeBytes { out.append(contentsOf: $0) }
    }
    return out
  }

  static func decode(_ b: [UInt8]) throws -> Dataset {
    let bad = DataError.malformed(file: "cache entry", problem: "damaged")
    guard b.count >= 16, Array(b[0..<8]) == magic else { throw bad }
    let length = Int(b.littleEndian(at: 8, width: 8))
    guard length > 0, 16 + length <= b.count else { throw bad }
    let header = try JSONDecoder().decode(Header.self, from: Data(b[16..<(16 + length)]))
    let labelsStart = 16 + length
    let labelsEnd = labelsStart + 4 * header.count
    let size = header.sampleShape.reduce(1, *) * header.count
    guard header.count >= 0, labelsEnd + size * (header.scale == nil ? 4 : 1) == b.count else { throw bad }
    var labels = [Int32](repeating: 0, count: header.count)
    labels.withUnsafeMutableBytes { t in
      b.withUnsafeBytes { s in t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[labelsStart..<labelsEnd])) }
    }
    let storage: Dataset.Storage
    if let scale = header.scale {
      storage = .bytes(Array(b[labelsEnd...]), scale: scale)
    } else {
      var f = [Float](repeating: 0, count: size)
      f.withUnsafeMutableBytes { t in
        b.withUnsafeBytes { s in t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[labelsEnd...])) }
      }
      storage = .floats(f)
    }
    return try Dataset(name: header.name, sampleShape: header.sampleShape, classCount: header.classCount,
                       classNames: header.classNames, labels: labels, storage: storage,
                       isSynthetic: header.isSynthetic, origin: header.origin)
  }
}
