/// MATLAB level-5 MAT-files (what SVHN ships): a 128-byte header, then data elements; numeric
/// matrices are read, compressed elements (miCOMPRESSED, zlib) are inflated. Other classes (cells,
/// structs, sparse) are skipped. Dimensions are MATLAB's (column-major data).
public enum MATFile {
  /// A numeric matrix: MATLAB dimensions and the real part in column-major order.
  public struct Matrix: Sendable {
    /// Extents as MATLAB lists them (rows first).
    public var dimensions: [Int]
    /// Values as stored (bytes stay bytes; other integers widen to Int64; reals become Float).
    public var values: NumPyArray.Values
  }

  /// Reads every numeric matrix of `path`, by variable name.
  public static func read(_ path: String) throws -> [String: Matrix] {
    try parse(try FileBytes.read(path), file: path)
  }

  /// Parses MAT-file bytes.
  public static func parse(_ bytes: [UInt8], file: String) throws -> [String: Matrix] {
    func bad(_ problem: String) -> DataError { .malformed(file: file, problem: problem) }
    guard bytes.count >= 128 else { throw bad("not a MAT-file (\(bytes.count) bytes, header is 128)") }
    let text = String(decoding: bytes[0..<116], as: UTF8.self)
    if text.hasPrefix("MATLAB 7.3") {
      throw bad("MATLAB v7.3 (HDF5) files are not supported; re-save with save(..., '-v7')")
    }
    guard text.hasPrefix("MATLAB 5.0") || text.hasPrefix("MATLAB") else {
      throw bad("not a level-5 MAT-file (header text does not start with 'MATLAB')")
    }
    let little: Bool
    switch (bytes[126], bytes[127]) {
    case (UInt8(ascii: "I"), UInt8(ascii: "M")): little = true
    case (UInt8(ascii: "M"), UInt8(ascii: "I")): little = false
    default: throw bad("bad endian indicator in the MAT-file header")
    }
    var out: [String: Matrix] = [:]
    try Reader(bytes: bytes, little: little, file: file).elements(from: 128, to: bytes.count, into: &out)
    return out
  }

  private struct Reader {
    let bytes: [UInt8]
    let little: Bool
    let file: String

    func bad(_ problem: String) -> DataError { .malformed(file: file, problem: problem) }

    func u32(_ at: Int) -> UInt32 {
      little ? UInt32(bytes.littleEndian(at: at, width: 4)) : bytes.bigEndianUInt32(at: at)
    }

    func value(_ at: Int, width: Int) -> UInt64 {
      if little { return bytes.littleEndian(at: at, width: width) }
      var v: UInt64 = 0
      for i in 0..<width { v = v << 8 | UInt64(bytes[at + i]) }
      return v
    }

    /// (type, data start, data size, next element offset) of the element at `p`.
    func tag(_ p: Int, end: Int) throws -> (Int, Int, Int, Int) {
      guard p + 8 <= end else { throw bad("truncated data element at byte \(p)") }
      let first = u32(p)
      if first >> 16 != 0 {  // small data element: size and type packed in 4 bytes
        guard first >> 16 <= 4 else {
          throw bad("small data element at byte \(p) claims \(first >> 16) bytes")
        }
        return (Int(first & 0xFFFF), p + 4, Int(first >> 16), p + 8)
      }
      let size = Int(u32(p + 4))
      let type = Int(first)
      guard p + 8 + size <= end else {
        throw bad("truncated: element at byte \(p) claims \(size) bytes, only \(end - p - 8) remain")
      }
      let next = type == 15 ? p + 8 + size : p + 8 + (size + 7) / 8 * 8
      return (type, p + 8, size, min(next, end))
    }

    /// Reads the data elements in `start..<end`; `compressed` is true inside an inflated
    /// miCOMPRESSED element (which MATLAB never nests, so neither does this reader).
    func elements(
      from start: Int, to end: Int, into out: inout [String: Matrix], compressed: Bool = false
    ) throws {
      var p = start
      while p < end {
        if end - p < 8 { break }  // padding at the end
        let (type, data, size, next) = try tag(p, end: end)
        switch type {
        case 15:
          guard !compressed else { throw bad("compressed element nested in a compressed element") }
          // The inflated element's own tag declares its length: inflate no further than that.
          let limit = InflateLimit(maximum: 1 << 40) { prefix in
            guard prefix.count >= 8 else { return nil }
            let inner = Reader(bytes: prefix, little: little, file: file)
            let first = inner.u32(0)
            return first >> 16 != 0 ? 8 : 8 + (Int(inner.u32(4)) + 7) / 8 * 8
          }
          let inflated = try Inflate.inflate(
            bytes, from: data, count: size, wrapping: .zlib, file: file,
            sizeHint: size * 8, limit: limit
          ).0
          try Reader(bytes: inflated, little: little, file: file).elements(
            from: 0, to: inflated.count, into: &out, compressed: true)
        case 14:
          if let (name, matrix) = try matrix(data, end: data + size) { out[name] = matrix }
        default:
          break
        }
        p = next
      }
    }

    func matrix(_ start: Int, end: Int) throws -> (String, Matrix)? {
      if start == end { return nil }  // empty matrix
      let (flagsType, flagsData, flagsSize, afterFlags) = try tag(start, end: end)
      guard flagsType == 6, flagsSize >= 4 else {
        throw bad("matrix at byte \(start) lacks its array-flags element")
      }
      let flags = u32(flagsData)
      let mxClass = Int(flags & 0xFF)
      let (_, dimsData, dimsSize, afterDims) = try tag(afterFlags, end: end)
      let dims = (0..<(dimsSize / 4)).map { Int(Int32(bitPattern: u32(dimsData + 4 * $0))) }
      let (_, nameData, nameSize, afterName) = try tag(afterDims, end: end)
      let name = String(decoding: bytes[nameData..<(nameData + nameSize)], as: UTF8.self)
      guard (6...15).contains(mxClass) else { return nil }  // cells, structs, sparse, chars
      guard dims.allSatisfy({ $0 >= 0 }) else {
        throw bad("variable '\(name)' has negative dimensions \(dims)")
      }
      guard let count = checkedProduct(dims) else {
        throw bad("variable '\(name)' claims impossible dimensions \(dims)")
      }
      let (type, data, size, _) = try tag(afterName, end: end)
      let widths = [1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8]
      guard let width = widths[type] else {
        throw bad("variable '\(name)' is stored with unsupported data type \(type)")
      }
      guard size == count * width else {
        throw bad("variable '\(name)': dimensions \(dims) need \(count * width) bytes, element holds \(size)")
      }
      let values: NumPyArray.Values
      switch type {
      case 2: values = .uint8(Array(bytes[data..<(data + size)]))
      case 7: values = .float32((0..<count).map { Float(bitPattern: UInt32(value(data + 4 * $0, width: 4))) })
      case 9: values = .float32((0..<count).map { Float(Double(bitPattern: value(data + 8 * $0, width: 8))) })
      default:
        let signed = [1, 3, 5, 12].contains(type)
        values = .int64(
          (0..<count).map { i in
            let v = value(data + width * i, width: width)
            if !signed || width == 8 { return Int64(bitPattern: v) }
            let shift = UInt64(64 - 8 * width)
            return Int64(bitPattern: v << shift) >> Int64(shift)
          })
      }
      return (name, Matrix(dimensions: dims, values: values))
    }
  }
}
