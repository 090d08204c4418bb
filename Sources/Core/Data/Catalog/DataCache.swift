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

  /// A key over a recipe (what is decoded, how) and the sources' names, sizes and checksums. Names
  /// are relative to `base` when given (an image folder's class subfolders), else the file names.
  public static func key(recipe: String, sources: [String], base: String? = nil) throws -> String {
    var h = SHA256()
    h.update("lethe-cache-v1|\(recipe)|")
    for path in sources {
      let bytes = try FileBytes.read(path)
      let name =
        base.flatMap { path.hasPrefix($0 + "/") ? String(path.dropFirst($0.count + 1)) : nil }
        ?? (path as NSString).lastPathComponent
      h.update("\(name)|\(bytes.count)|\(SHA256.hex(of: bytes))|")
    }
    return h.finalizeHex()
  }

  private func path(_ key: String, _ part: String) -> String { "\(folder)/\(key)-\(part).ldset" }

  /// Where the entries are.
  var folder: String { directory + "/datasets" }

  /// The cached datasets for `key` (one per part), or nil when any part is absent, unreadable or
  /// damaged (its checksum does not match): a damaged entry is removed, to be built afresh.
  /// Temporaries that killed writers left in the cache are removed first.
  public func load(key: String, parts: [String]) -> [Dataset]? {
    TemporaryFiles.removeStale(in: folder)
    var out: [Dataset] = []
    for part in parts {
      let file = path(key, part)
      guard let bytes = try? FileIO.read(file) else { return nil }
      guard let d = try? CachedDataset.decode(bytes, file: file) else {
        unlink(file)
        return nil
      }
      out.append(d)
    }
    return out
  }

  /// Stores `datasets` under `key`, each part written atomically (a temporary, then a rename).
  public func store(_ datasets: [Dataset], key: String, parts: [String]) throws {
    do {
      try FileIO.createFolder(folder)
      for (d, part) in zip(datasets, parts) {
        try AtomicFile.write(try CachedDataset.encode(d), to: path(key, part))
      }
    } catch let e as FileError {
      throw DataError.unwritable(file: e.path, problem: "\(e.reason) (storing the dataset cache)")
    }
  }

  /// Parses the bytes of a cache entry (`file` names it in errors); throws when it is damaged.
  public static func decodeEntry(_ bytes: [UInt8], file: String) throws -> Dataset {
    try CachedDataset.decode(bytes, file: file)
  }

  /// Loads through the cache: the cached parts when present, else `build()`, stored for next time.
  /// A cache that cannot be written is not an error (the data is still returned).
  public func cached(
    recipe: String, sources: [String], base: String? = nil, parts: [String],
    build: () throws -> [Dataset]
  ) throws -> (datasets: [Dataset], fromCache: Bool) {
    let key = try DataCache.key(recipe: recipe, sources: sources, base: base)
    if let hit = load(key: key, parts: parts) { return (hit, true) }
    let built = try build()
    try? store(built, key: key, parts: parts)
    return (built, false)
  }
}

/// The cache's file format: magic "LETHEDS2", a little-endian UInt64 header length, a JSON
/// header, Int32 labels, the stored samples (bytes or Float32), then the CRC-32 of everything
/// before it (little-endian UInt32), so that a damaged entry is noticed and rebuilt. CRC-32, not
/// SHA-256: it guards against accident, not attack, and is twice as fast on these files
/// (docs/design.md, "Libraries"). Entries of the older "LETHEDS1" format read as damaged.
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

  static let magic = Array("LETHEDS2".utf8)

  static func encode(_ d: Dataset) throws -> [UInt8] {
    var scale: Float?
    if case .bytes(_, let s) = d.storage { scale = s }
    let header = try JSONEncoder().encode(
      Header(
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
    let crc = out.withUnsafeBytes { Deflate.crc($0) }
    withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
    return out
  }

  static func decode(_ b: [UInt8], file: String) throws -> Dataset {
    func bad(_ problem: String) -> DataError { .malformed(file: file, problem: "damaged cache entry: \(problem)") }
    guard b.count >= 20, Array(b[0..<8]) == magic else { throw bad("not a Lethe dataset cache entry") }
    let body = b.count - 4
    let stored = UInt32(b.littleEndian(at: body, width: 4))
    guard b.withUnsafeBytes({ Deflate.crc(UnsafeRawBufferPointer(rebasing: $0[..<body])) }) == stored else {
      throw bad("checksum mismatch")
    }
    let length = b.littleEndianOffset(at: 8, width: 8)
    guard length > 0, 16 + length <= body else { throw bad("header length \(length)") }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: Data(b[16..<(16 + length)]))
    } catch {
      throw bad("unreadable header")
    }
    guard header.count >= 0, let size = checkedProduct(header.sampleShape + [header.count]),
      let labelBytes = checkedProduct([4, header.count])
    else { throw bad("impossible sizes") }
    let labelsStart = 16 + length
    let labelsEnd = labelsStart + labelBytes
    guard labelsEnd <= body, body - labelsEnd == size * (header.scale == nil ? 4 : 1) else {
      throw bad("sizes do not match the header")
    }
    var labels = [Int32](repeating: 0, count: header.count)
    labels.withUnsafeMutableBytes { t in
      b.withUnsafeBytes { s in
        t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[labelsStart..<labelsEnd]))
      }
    }
    let storage: Dataset.Storage
    if let scale = header.scale {
      storage = .bytes(Array(b[labelsEnd..<body]), scale: scale)
    } else {
      var f = [Float](repeating: 0, count: size)
      f.withUnsafeMutableBytes { t in
        b.withUnsafeBytes { s in t.copyMemory(from: UnsafeRawBufferPointer(rebasing: s[labelsEnd..<body])) }
      }
      storage = .floats(f)
    }
    return try Dataset(
      name: header.name, sampleShape: header.sampleShape, classCount: header.classCount,
      classNames: header.classNames, labels: labels, storage: storage,
      isSynthetic: header.isSynthetic, origin: header.origin)
  }
}
