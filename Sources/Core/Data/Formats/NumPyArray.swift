/// A NumPy array read from `.npy` (or a member of `.npz`): C-order data of uint8, int64 or float32
/// (bool, int32 and float64 are read and widened or narrowed to those).
public struct NumPyArray: Sendable {
  /// The element values, by stored kind.
  public enum Values: Sendable {
    case uint8([UInt8])
    case int64([Int64])
    case float32([Float])
  }

  /// Extents, outermost first (`[]` for a scalar).
  public var shape: [Int]
  /// The elements in C (row-major) order.
  public var values: Values

  /// Element count.
  public var count: Int { shape.reduce(1, *) }

  /// The values as Floats.
  public var floats: [Float] {
    switch values {
    case .uint8(let v): return v.map(Float.init)
    case .int64(let v): return v.map(Float.init)
    case .float32(let v): return v
    }
  }

  /// The values as Ints; throws (naming `file`) when a float is not integral.
  func ints(file: String) throws -> [Int] {
    switch values {
    case .uint8(let v): return v.map(Int.init)
    case .int64(let v): return v.map(Int.init)
    case .float32(let v):
      return try v.map { x in
        guard x.rounded() == x, abs(x) < 1e9 else {
          throw DataError.malformed(file: file, problem: "value \(x) is not an integer label")
        }
        return Int(x)
      }
    }
  }

  /// Reads a `.npy` file.
  public static func read(_ path: String) throws -> NumPyArray {
    try parse(try FileBytes.read(path), file: path)
  }

  /// Reads every array of a `.npz` file, by name without the `.npy` suffix.
  public static func readArchive(_ path: String) throws -> [String: NumPyArray] {
    try parseArchive(try FileBytes.read(path), file: path)
  }

  /// Parses every array of `.npz` bytes, by name without the `.npy` suffix.
  public static func parseArchive(_ bytes: [UInt8], file path: String) throws -> [String: NumPyArray] {
    let zip = try ZipArchive(bytes: bytes, file: path)
    var out: [String: NumPyArray] = [:]
    for entry in zip.entries where entry.name.hasSuffix(".npy") {
      out[String(entry.name.dropLast(4))] = try parse(
        try zip.contents(of: entry), file: "\(path) member \(entry.name)")
    }
    return out
  }

  /// Parses `.npy` bytes.
  public static func parse(_ b: [UInt8], file: String) throws -> NumPyArray {
    func bad(_ problem: String) -> DataError { .malformed(file: file, problem: problem) }
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard b.count >= 10, Array(b[0..<6]) == magic else { throw bad("not a .npy file (wrong magic)") }
    let major = b[6]
    let headerLength: Int, headerStart: Int
    switch major {
    case 1: headerLength = Int(b.littleEndian(at: 8, width: 2)); headerStart = 10
    case 2, 3:
      guard b.count >= 12 else { throw bad("truncated .npy header") }
      headerLength = Int(b.littleEndian(at: 8, width: 4)); headerStart = 12
    default: throw bad(".npy format version \(major) is not supported")
    }
    guard headerStart + headerLength <= b.count else { throw bad("truncated .npy header") }
    let header = String(decoding: b[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    guard let descr = field(header, "descr"), let fortran = field(header, "fortran_order"),
      let shapeText = field(header, "shape")
    else {
      throw bad("unreadable .npy header \(header.prefix(120))")
    }
    guard fortran.hasPrefix("False") else {
      throw bad("Fortran-order arrays are not supported (save in C order)")
    }
    var shape: [Int] = []
    let inner = shapeText.drop(while: { $0 != "(" }).dropFirst().prefix(while: { $0 != ")" })
    for part in inner.split(separator: ",") {
      let t = part.letheTrimmed(" \t\nL")
      if t.isEmpty { continue }
      guard let v = Int(t), v >= 0 else { throw bad("bad shape \(shapeText)") }
      shape.append(v)
    }
    let dtype = descr.letheTrimmed(" '\"")
    guard let count = checkedProduct(shape) else { throw bad("header claims an impossible shape \(shape)") }
    let data = headerStart + headerLength
    let widths: [String: Int] = ["|u1": 1, "<u1": 1, "|b1": 1, "<i8": 8, "<i4": 4, "<f4": 4, "<f8": 8]
    guard let width = widths[dtype] else {
      throw bad(
        "dtype \(dtype) is not supported (uint8, bool, int32, int64, float32, float64, little-endian)")
    }
    guard b.count - data == count * width else {
      throw bad("header says shape \(shape) of \(dtype) = \(count * width) bytes, file has \(b.count - data)")
    }
    let values: Values
    switch dtype {
    case "|u1", "<u1", "|b1": values = .uint8(Array(b[data...]))
    case "<i8":
      values = .int64((0..<count).map { Int64(bitPattern: b.littleEndian(at: data + 8 * $0, width: 8)) })
    case "<i4":
      values = .int64(
        (0..<count).map {
          Int64(Int32(bitPattern: UInt32(b.littleEndian(at: data + 4 * $0, width: 4))))
        })
    case "<f4":
      var f = [Float](repeating: 0, count: count)
      f.withUnsafeMutableBytes { dst in
        b.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[data...])) }
      }
      values = .float32(f)
    default:
      values = .float32(
        (0..<count).map { Float(Double(bitPattern: b.littleEndian(at: data + 8 * $0, width: 8))) })
    }
    return NumPyArray(shape: shape, values: values)
  }

  private static func field(_ header: String, _ key: String) -> String? {
    guard let r = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
    let rest = header[r.upperBound...].drop(while: { $0 == " " || $0 == ":" })
    if rest.first == "(" { return String(rest.prefix(while: { $0 != ")" })) + ")" }
    return String(rest.prefix(while: { $0 != "," && $0 != "}" }))
  }
}

fileprivate extension Substring {
  func letheTrimmed(_ set: String) -> String {
    let chars = Set(set)
    return String(
      self.drop(while: { chars.contains($0) }).reversed().drop(while: { chars.contains($0) }).reversed())
  }
}

fileprivate extension String {
  func letheTrimmed(_ set: String) -> String { self[...].letheTrimmed(set) }
}
