/// CIFAR-10 and CIFAR-100 binary batches: records of 1 label byte (CIFAR-10) or 2 (CIFAR-100:
/// coarse, fine) followed by 3,072 pixel bytes (1,024 red, then green, then blue, row-major 32×32).
public enum CIFARBinary {
  /// Which variant: CIFAR-10 (one label byte, 10 classes) or CIFAR-100 (two, fine label used).
  public enum Variant: Sendable {
    case cifar10, cifar100
    var labelBytes: Int { self == .cifar10 ? 1 : 2 }
    var classCount: Int { self == .cifar10 ? 10 : 100 }
  }

  /// The most records one batch file may hold (CIFAR-100's training file has 50,000); a
  /// gzipped batch stops inflating past it.
  public static let maxRecordsPerFile = 100_000

  /// Reads the batch files in order into one dataset.
  public static func load(
    files: [String], variant: Variant, name: String,
    classNames: [String]? = nil
  ) throws -> Dataset {
    var pixels: [UInt8] = []
    var labels: [Int32] = []
    for file in files {
      try append(try FileBytes.read(file), file: file, variant: variant, pixels: &pixels, labels: &labels)
    }
    return try dataset(pixels, labels, variant: variant, name: name, classNames: classNames, origin: files.first)
  }

  /// Parses one batch file held in memory (gzipped or raw); `file` names it in errors.
  public static func parse(
    _ bytes: [UInt8], file: String, variant: Variant, name: String,
    classNames: [String]? = nil
  ) throws -> Dataset {
    var pixels: [UInt8] = []
    var labels: [Int32] = []
    try append(bytes, file: file, variant: variant, pixels: &pixels, labels: &labels)
    return try dataset(pixels, labels, variant: variant, name: name, classNames: classNames, origin: file)
  }

  private static func append(
    _ raw: [UInt8], file: String, variant: Variant, pixels: inout [UInt8], labels: inout [Int32]
  ) throws {
    let record = variant.labelBytes + 3072
    let data = try FileBytes.maybeGunzip(
      raw, file: file, limit: InflateLimit(maximum: maxRecordsPerFile * record))
    guard !data.isEmpty else { throw DataError.malformed(file: file, problem: "is empty") }
    guard data.count % record == 0 else {
      throw DataError.malformed(
        file: file,
        problem: "size \(data.count) is not a whole number of \(record)-byte records (truncated?)")
    }
    let n = data.count / record
    guard n <= maxRecordsPerFile else {
      throw DataError.malformed(
        file: file, problem: "holds \(n) records, more than the \(maxRecordsPerFile) a batch file may hold")
    }
    pixels.reserveCapacity(pixels.count + n * 3072)
    for r in 0..<n {
      let base = r * record
      let label = Int(data[base + variant.labelBytes - 1])
      guard label < variant.classCount else {
        throw DataError.malformed(
          file: file, problem: "record \(r) has label \(label) outside 0..<\(variant.classCount)")
      }
      labels.append(Int32(label))
      pixels.append(contentsOf: data[(base + variant.labelBytes)..<(base + record)])
    }
  }

  private static func dataset(
    _ pixels: [UInt8], _ labels: [Int32], variant: Variant, name: String, classNames: [String]?,
    origin: String?
  ) throws -> Dataset {
    let names = classNames.flatMap { $0.count == variant.classCount ? $0 : nil }
    return try Dataset(
      name: name, sampleShape: [3, 32, 32], classCount: variant.classCount,
      classNames: names, labels: labels, storage: .bytes(pixels, scale: 1 / 255),
      origin: origin ?? name)
  }

  /// The class names CIFAR-10 ships in `batches.meta.txt`.
  public static let cifar10ClassNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]
}
