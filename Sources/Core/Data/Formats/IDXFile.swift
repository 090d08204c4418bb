import Foundation

/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code (0x08 for unsigned
/// bytes), the number of dimensions, big-endian 32-bit extents, then the data. Gzipped or raw.
public enum IDXFile {
  /// An IDX array of bytes: its extents and data.
  public struct Array: Sendable {
    /// Extents, outermost first (e.g. `[60000, 28, 28]`).
    public var shape: [Int]
    /// The elements, row-major.
    public var bytes: [UInt8]
  }

  /// Reads `path` (gunzipping when needed).
  public static func read(_ path: String) throws -> Array {
    try decode(try FileBytes.read(path), file: path)
  }

  /// Parses the bytes of an IDX file, gzipped or raw; `file` names them in errors. A gzipped
  /// file stops inflating as soon as it passes the size its header declares.
  public static func decode(_ bytes: [UInt8], file: String) throws -> Array {
    let limit = InflateLimit(maximum: 1 << 40) { prefix in try declaredSize(prefix, file: file) }
    return try parse(try FileBytes.maybeGunzip(bytes, file: file, limit: limit), file: file)
  }

  /// The whole file's size as the header at the start of `prefix` declares it, or nil when
  /// `prefix` is too short to tell.
  static func declaredSize(_ prefix: [UInt8], file: String) throws -> Int? {
    guard prefix.count >= 4 else { return nil }
    let header = 4 + 4 * Int(prefix[3])
    guard prefix.count >= header else { return nil }
    let shape = (0..<Int(prefix[3])).map { Int(prefix.bigEndianUInt32(at: 4 + 4 * $0)) }
    guard let count = checkedProduct(shape) else {
      throw DataError.malformed(file: file, problem: "IDX header claims an impossible size \(shape)")
    }
    return header + count
  }

  /// Parses IDX bytes; `file` names them in errors.
  public static func parse(_ data: [UInt8], file: String) throws -> Array {
    guard data.count >= 4 else {
      throw DataError.malformed(
        file: file, problem: "IDX file of \(data.count) bytes is truncated (no header)")
    }
    guard data[0] == 0, data[1] == 0 else {
      throw DataError.malformed(
        file: file,
        problem: "wrong magic number 0x\(SHA256.hex(Swift.Array(data[0..<4]))) (IDX starts 0x0000)")
    }
    guard data[2] == 0x08 else {
      throw DataError.malformed(
        file: file, problem: "IDX element type 0x\(SHA256.hex([data[2]])) is not unsigned byte (0x08)")
    }
    let rank = Int(data[3])
    guard rank >= 1 && rank <= 4 else {
      throw DataError.malformed(file: file, problem: "IDX header claims \(rank) dimensions")
    }
    let header = 4 + 4 * rank
    guard data.count >= header else {
      throw DataError.malformed(file: file, problem: "truncated IDX header (\(data.count) bytes)")
    }
    var shape: [Int] = []
    var count = 1
    for d in 0..<rank {
      let extent = Int(data.bigEndianUInt32(at: 4 + 4 * d))
      shape.append(extent)
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard !overflow, product <= 1 << 40 else {
        throw DataError.malformed(file: file, problem: "IDX header claims an impossible size \(shape)")
      }
      count = product
    }
    guard data.count - header == count else {
      let problem =
        data.count - header < count
        ? "truncated: header says \(shape) = \(count) bytes of data, file has \(data.count - header)"
        : "header says \(shape) = \(count) bytes of data, file has \(data.count - header) (trailing bytes)"
      throw DataError.malformed(file: file, problem: problem)
    }
    return Array(shape: shape, bytes: Swift.Array(data[header...]))
  }

  /// Loads an image file and a label file as a dataset (`[1, rows, cols]` samples).
  public static func loadDataset(
    images: String, labels: String, name: String,
    classNames: [String]? = nil
  ) throws -> Dataset {
    try dataset(
      images: try read(images), labels: try read(labels), imagesFile: images, labelsFile: labels,
      name: name, classNames: classNames)
  }

  /// Loads several image/label file pairs, reading (and gunzipping) the files on two threads.
  public static func loadDatasets(
    _ pairs: [(images: String, labels: String, name: String)], classNames: [String]? = nil
  ) throws -> [Dataset] {
    let files = pairs.flatMap { [$0.images, $0.labels] }
    let results = ParallelResults<Array>(count: files.count)
    // Largest first: the training images dominate, so the other thread takes everything else.
    let order = files.indices.sorted { (FileBytes.size(files[$0]) ?? 0) > (FileBytes.size(files[$1]) ?? 0) }
    DispatchQueue.concurrentPerform(iterations: 2) { worker in
      let next: [Int] = worker == 0 ? [order[0]] : Swift.Array(order.dropFirst())
      for i in next { results.set(i, Result { try read(files[i]) }) }
    }
    return try pairs.enumerated().map { k, p in
      try dataset(
        images: try results.get(2 * k), labels: try results.get(2 * k + 1), imagesFile: p.images,
        labelsFile: p.labels, name: p.name, classNames: classNames)
    }
  }

  static func dataset(
    images x: Array, labels y: Array, imagesFile images: String, labelsFile labels: String, name: String,
    classNames: [String]?
  ) throws -> Dataset {
    guard x.shape.count == 3 else {
      throw DataError.malformed(
        file: images, problem: "expected 3 dimensions (count, rows, cols), got \(x.shape)")
    }
    guard y.shape.count == 1 else {
      throw DataError.malformed(file: labels, problem: "expected 1 dimension (count), got \(y.shape)")
    }
    guard x.shape[0] == y.shape[0] else {
      throw DataError.malformed(
        file: labels, problem: "has \(y.shape[0]) labels but \(images) has \(x.shape[0]) images")
    }
    guard x.shape[0] > 0 else { throw DataError.malformed(file: images, problem: "holds no images") }
    let classCount = classNames?.count ?? 10
    if let bad = y.bytes.first(where: { Int($0) >= classCount }) {
      throw DataError.malformed(file: labels, problem: "label \(bad) outside 0..<\(classCount)")
    }
    return try Dataset(
      name: name, sampleShape: [1, x.shape[1], x.shape[2]], classCount: classCount,
      classNames: classNames, labels: y.bytes.map { Int32($0) }, storage: .bytes(x.bytes, scale: 1 / 255),
      origin: images)
  }
}

/// One result slot per item, filled by parallel workers.
final class ParallelResults<T>: @unchecked Sendable {
  // @unchecked Sendable: every slot is written by one worker, under `lock`, and read after the join.
  private let lock = NSLock()
  private var slots: [Result<T, Error>?]
  init(count: Int) { slots = [Result<T, Error>?](repeating: nil, count: count) }
  func set(_ i: Int, _ r: Result<T, Error>) {
    lock.lock()
    slots[i] = r
    lock.unlock()
  }
  func get(_ i: Int) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    return try slots[i]!.get()
  }
}
