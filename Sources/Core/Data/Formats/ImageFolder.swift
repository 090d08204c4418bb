import Foundation

/// Image-folder datasets: one subfolder per class holding JPEG or PNG files (how CIFAR-10 JPEG and
/// ImageNet subsets such as Imagenette are published), on disk or inside a tar archive. Classes are
/// the subfolder names sorted alphabetically; files within a class are sorted by name. Files whose
/// names start with "." are skipped; any other file that does not decode is an error naming it.
public enum ImageFolder {
  /// Fixed output geometry: every image is converted to `channels` (1 or 3) and resized to
  /// `height × width` (bilinear) when it differs.
  public struct Geometry: Sendable, Equatable {
    /// Channels per image: 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Rows of every image.
    public var height: Int
    /// Columns of every image.
    public var width: Int
    /// Channels 1 or 3, positive size.
    public init(channels: Int, height: Int, width: Int) {
      self.channels = channels
      self.height = height
      self.width = width
    }
    func check() throws {
      guard channels == 1 || channels == 3 else {
        throw DataError.invalidArgument(name: "channels", problem: "\(channels) (must be 1 or 3)")
      }
      guard height > 0, width > 0, height <= 4096, width <= 4096 else {
        throw DataError.invalidArgument(name: "image size", problem: "\(height)×\(width) is out of range")
      }
    }
  }

  private struct Item {
    var label: Int
    var path: String
    var range: Range<Int>?  // inside a tar; nil for a file on disk
  }

  /// Loads `directory/<class>/<image>`.
  public static func load(
    directory: String, name: String, geometry: Geometry,
    classNames: [String]? = nil
  ) throws -> Dataset {
    try geometry.check()
    guard FileBytes.isDirectory(directory) else {
      throw DataError.unreadable(file: directory, problem: "not a folder")
    }
    let classes =
      try
      (classNames
      ?? FileBytes.list(directory)
      .filter { !$0.hasPrefix(".") && FileBytes.isDirectory(directory + "/" + $0) }.sorted())
    guard !classes.isEmpty else {
      throw DataError.malformed(file: directory, problem: "has no class subfolders")
    }
    var items: [Item] = []
    for (label, cls) in classes.enumerated() {
      let folder = directory + "/" + cls
      guard let files = try? FileBytes.list(folder) else {
        throw DataError.unreadable(file: folder, problem: "class folder missing or unreadable")
      }
      for file in files.sorted() where !file.hasPrefix(".") {
        let path = folder + "/" + file
        if FileBytes.isDirectory(path) {
          throw DataError.malformed(file: path, problem: "a folder inside a class folder (expected images)")
        }
        items.append(Item(label: label, path: path, range: nil))
      }
    }
    return try decodeAll(
      items, bytes: nil, classes: classes, name: name, geometry: geometry, origin: directory)
  }

  /// Loads the images under `prefix` (e.g. "train/") of a tar archive laid out as `prefix<class>/<image>`.
  /// `classNames` fixes the classes and their order (a test split takes its training split's); a
  /// class folder not among them is an error.
  public static func load(
    tar: TarArchive, prefix: String, name: String, geometry: Geometry,
    origin: String, classNames: [String]? = nil
  ) throws -> Dataset {
    try geometry.check()
    var byClass: [String: [(String, Range<Int>)]] = [:]
    for entry in tar.entries {
      var path = entry.path
      if path.hasPrefix("./") { path.removeFirst(2) }
      guard path.hasPrefix(prefix) else { continue }
      let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true)
      guard parts.count == 2, !parts[1].hasPrefix(".") else { continue }
      byClass[String(parts[0]), default: []].append((origin + ":" + path, entry.range))
    }
    let classes = classNames ?? byClass.keys.sorted()
    if let stray = byClass.keys.sorted().first(where: { !classes.contains($0) }) {
      throw DataError.malformed(
        file: origin + ":" + prefix + stray, problem: "a class the training split lacks")
    }
    guard !byClass.isEmpty else {
      throw DataError.malformed(file: origin, problem: "has no images under \(prefix)<class>/")
    }
    var items: [Item] = []
    for (label, cls) in classes.enumerated() {
      for (path, range) in (byClass[cls] ?? []).sorted(by: { $0.0 < $1.0 }) {
        items.append(Item(label: label, path: path, range: range))
      }
    }
    return try decodeAll(
      items, bytes: tar.bytes, classes: classes, name: name, geometry: geometry,
      origin: origin + ":" + prefix)
  }

  private static func decodeAll(
    _ items: [Item], bytes: [UInt8]?, classes: [String], name: String,
    geometry: Geometry, origin: String
  ) throws -> Dataset {
    guard !items.isEmpty else { throw DataError.malformed(file: origin, problem: "holds no images") }
    let size = geometry.channels * geometry.height * geometry.width
    var pixels = [UInt8](repeating: 0, count: items.count * size)
    let failures = FirstError()
    // A second thread pays off only for more than a handful of images.
    let workers = items.count < 32 ? 1 : min(2, ProcessInfo.processInfo.activeProcessorCount)
    pixels.withUnsafeMutableBufferPointer { out in
      let outBase = SendablePointer(out.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var i = worker
        while i < items.count && !failures.isSet {
          let item = items[i]
          do {
            let decoded: [UInt8]
            if let range = item.range, let bytes {
              decoded = try bytes.withUnsafeBufferPointer { b in
                try ImageDecoder.decode(
                  UnsafeBufferPointer(rebasing: b[range]), file: item.path,
                  channels: geometry.channels, height: geometry.height,
                  width: geometry.width)
              }
            } else {
              let data = try FileBytes.read(item.path)
              decoded = try data.withUnsafeBufferPointer { b in
                try ImageDecoder.decode(
                  b, file: item.path, channels: geometry.channels,
                  height: geometry.height, width: geometry.width)
              }
            }
            decoded.withUnsafeBufferPointer { d in
              (outBase.pointer + i * size).update(from: d.baseAddress!, count: size)
            }
          } catch {
            failures.record(error, at: i)
          }
          i += workers
        }
      }
    }
    if let error = failures.error { throw error }
    return try Dataset(
      name: name, sampleShape: [geometry.channels, geometry.height, geometry.width],
      classCount: classes.count, classNames: classes,
      labels: items.map { Int32($0.label) }, storage: .bytes(pixels, scale: 1 / 255),
      origin: origin)
  }
}

/// A raw pointer handed to worker threads that write disjoint parts of one buffer.
struct SendablePointer<T>: @unchecked Sendable {
  // @unchecked Sendable: each worker writes only its own elements; the owner outlives the workers.
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// The error of the lowest-numbered failing item among parallel workers (deterministic messages).
final class FirstError: @unchecked Sendable {
  // @unchecked Sendable: all state is guarded by `lock`.
  private let lock = NSLock()
  private var stored: (Int, Error)?
  var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stored != nil }
  var error: Error? { lock.lock(); defer { lock.unlock() }; return stored?.1 }
  func record(_ error: Error, at index: Int) {
    lock.lock()
    if stored == nil || index < stored!.0 { stored = (index, error) }
    lock.unlock()
  }
}
