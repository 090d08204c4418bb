import Foundation

/// One tensor stored in a safetensors file: Float32 values, or Int64 values with their shape.
public enum SafeTensor: Sendable, Equatable {
  /// A Float32 ("F32") tensor.
  case f32(Tensor)
  /// An Int64 ("I64") tensor, row-major.
  case i64(shape: [Int], values: [Int64])

  /// The tensor's shape.
  public var shape: [Int] {
    switch self {
    case .f32(let t): return t.shape
    case .i64(let s, _): return s
    }
  }

  /// The safetensors dtype name.
  public var dtype: String {
    switch self {
    case .f32: return "F32"
    case .i64: return "I64"
    }
  }
}

/// A safetensors file in memory: its tensors by name, in file order, and its metadata.
public struct SafeTensorFile: Sendable {
  /// The file (or source) name used in error messages.
  public var source: String
  /// Tensor names, ordered by their position in the data section.
  public var names: [String]
  /// The `__metadata__` strings.
  public var metadata: [String: String]
  /// The tensors by name.
  public var tensors: [String: SafeTensor]

  /// The tensor called `name`, if present.
  public subscript(name: String) -> SafeTensor? { tensors[name] }

  /// The Float32 tensor called `name`; throws when it is absent or not F32.
  public func float(_ name: String) throws -> Tensor {
    switch tensors[name] {
    case .f32(let t)?: return t
    case .i64?: throw SafeTensorsError(file: source, message: "tensor '\(name)' is I64, expected F32")
    case nil: throw SafeTensorsError(file: source, message: "no tensor named '\(name)'")
    }
  }

  /// The Int64 tensor called `name` as Ints; throws when it is absent or not I64.
  public func ints(_ name: String) throws -> [Int] {
    switch tensors[name] {
    case .i64(_, let v)?: return v.map { Int($0) }
    case .f32?: throw SafeTensorsError(file: source, message: "tensor '\(name)' is F32, expected I64")
    case nil: throw SafeTensorsError(file: source, message: "no tensor named '\(name)'")
    }
  }
}

/// A malformed, truncated or inconsistent safetensors file, naming the file and the problem.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
  /// The file (or source) name.
  public var file: String
  /// What is wrong.
  public var message: String

  /// A new error.
  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }

  /// "file: problem".
  public var description: String { "\(file): \(message)" }
}

/// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
/// header `name → {dtype, shape, data_offsets}` (plus `__metadata__`), then raw little-endian
/// data. Dtypes F32 and I64. Every inconsistency is an error, never a trap.
public enum SafeTensors {
  /// Headers beyond this size are rejected as corrupt (the format's own limit is 100 MB).
  static let maxHeader = 100 << 20

  /// Reads and validates the file at `url`.
  public static func read(_ url: URL) throws -> SafeTensorFile {
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(url.path)
    } catch {
      throw SafeTensorsError(file: url.path, message: "cannot read: \(FileError.reason(of: error))")
    }
    return try parse(bytes, name: url.path)
  }

  /// Reads and validates the file at `path`.
  public static func read(path: String) throws -> SafeTensorFile {
    try read(URL(fileURLWithPath: path))
  }

  /// Parses safetensors bytes; `name` labels errors. A file in another format that models are
  /// often saved in (a PyTorch pickle, a zip, HDF5) gets an error saying what it is and how to
  /// convert it, rather than one about a strange header.
  public static func parse(_ bytes: [UInt8], name: String) throws -> SafeTensorFile {
    do {
      return try parseChecked(bytes, name: name)
    } catch let error as SafeTensorsError {
      if let other = ForeignModelFormat.describe(bytes) { throw SafeTensorsError(file: name, message: other) }
      throw error
    }
  }

  /// One header entry as the file states it; every field is checked before it is used.
  private struct Entry: Decodable {
    var dtype: String
    var shape: [Int]
    var offsets: (Int, Int)

    enum Keys: String, CodingKey { case dtype, shape, data_offsets }

    init(from decoder: Decoder) throws {
      let key = decoder.codingPath.last?.stringValue ?? "?"
      func fail(_ m: String) -> SafeTensorsError { SafeTensorsError(file: "", message: "'\(key)' \(m)") }
      guard let c = try? decoder.container(keyedBy: Keys.self) else { throw fail("is not an object") }
      guard let dtype = try? c.decode(String.self, forKey: .dtype) else { throw fail("has no dtype") }
      guard c.contains(.shape) else { throw fail("has no shape") }
      guard let shape = try? c.decode([Int].self, forKey: .shape), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("has an invalid shape")
      }
      guard let o = try? c.decode([Int].self, forKey: .data_offsets), o.count == 2 else {
        throw fail("has invalid data_offsets")
      }
      self.dtype = dtype
      self.shape = shape
      self.offsets = (o[0], o[1])
    }
  }

  /// The JSON header: `__metadata__` (strings) and the entries, in no particular order.
  private struct Header: Decodable {
    var metadata: [String: String] = [:]
    var entries: [(String, Entry)] = []

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
      guard let c = try? decoder.container(keyedBy: Key.self) else {
        throw SafeTensorsError(file: "", message: "header is not a JSON object")
      }
      for key in c.allKeys {
        if key.stringValue == "__metadata__" {
          guard let m = try? c.decode([String: String].self, forKey: key) else {
            throw SafeTensorsError(file: "", message: "__metadata__ is not an object of strings")
          }
          metadata = m
        } else {
          entries.append((key.stringValue, try c.decode(Entry.self, forKey: key)))
        }
      }
    }
  }

  private static func parseChecked(_ bytes: [UInt8], name: String) throws -> SafeTensorFile {
    func fail(_ m: String) -> SafeTensorsError { SafeTensorsError(file: name, message: m) }
    guard bytes.count >= 8 else { throw fail("truncated: \(bytes.count) bytes, no header length") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(maxHeader) else { throw fail("header length \(n) is implausible") }
    let headerEnd = 8 + Int(n)
    guard headerEnd <= bytes.count else {
      throw fail("truncated: header of \(n) bytes but the file has \(bytes.count)")
    }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: Data(bytes[8..<headerEnd]))
    } catch let e as SafeTensorsError {
      throw fail(e.message)
    } catch {
      throw fail("header is not valid JSON")
    }
    let dataSize = bytes.count - headerEnd
    var entries: [(String, Int, SafeTensor)] = []
    for (key, entry) in header.entries {
      let (b, e) = entry.offsets
      guard b >= 0, b <= e, e <= dataSize else {
        throw fail("'\(key)' data_offsets [\(b), \(e)] outside the \(dataSize)-byte data section")
      }
      guard let count = checkedProduct(entry.shape, limit: Int.max) else {
        throw fail("'\(key)' has an impossibly large shape \(entry.shape)")
      }
      let width: Int
      switch entry.dtype {
      case "F32": width = 4
      case "I64": width = 8
      default: throw fail("'\(key)' has unsupported dtype \(entry.dtype) (F32 and I64 are supported)")
      }
      let (size, overflow) = count.multipliedReportingOverflow(by: width)
      guard !overflow, size == e - b else {
        let needs = overflow ? "more than \(Int.max)" : "\(size)"
        throw fail("'\(key)': \(entry.dtype) shape \(entry.shape) needs \(needs) bytes, offsets give \(e - b)")
      }
      let start = headerEnd + b
      let tensor: SafeTensor = bytes.withUnsafeBytes { raw in
        let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + size)])
        if width == 4 {
          var v = [Float](repeating: 0, count: count)
          v.withUnsafeMutableBytes { $0.copyMemory(from: src) }
          return .f32(
            Tensor(shape: entry.shape, storage: v.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }))
        }
        var v = [Int64](repeating: 0, count: count)
        v.withUnsafeMutableBytes { $0.copyMemory(from: src) }
        return .i64(shape: entry.shape, values: v.map { Int64(littleEndian: $0) })
      }
      entries.append((key, b, tensor))
    }
    entries.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    return SafeTensorFile(
      source: name, names: entries.map { $0.0 }, metadata: header.metadata,
      tensors: Dictionary(entries.map { ($0.0, $0.2) }, uniquingKeysWith: { first, _ in first }))
  }

  /// The bytes of a safetensors file holding `tensors` in order (header padded with spaces to
  /// a multiple of 8 bytes so the data is aligned).
  public static func encode(_ tensors: [(String, SafeTensor)], metadata: [String: String] = [:])
    throws -> [UInt8]
  {
    var seen = Set<String>()
    var parts: [String] = []
    var offset = 0
    if !metadata.isEmpty {
      let items = metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0]!))" }
      parts.append("\"__metadata__\":{\(items.joined(separator: ","))}")
    }
    for (name, t) in tensors {
      guard name != "__metadata__", seen.insert(name).inserted else {
        throw SafeTensorsError(file: "<encode>", message: "duplicate or reserved tensor name '\(name)'")
      }
      let size = Tensor.count(of: t.shape) * (t.dtype == "F32" ? 4 : 8)
      parts.append(
        "\(quote(name)):{\"dtype\":\"\(t.dtype)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
          + "\"data_offsets\":[\(offset),\(offset + size)]}")
      offset += size
    }
    var header = Array("{\(parts.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + offset)
    let n = UInt64(header.count)
    for i in 0..<8 { out.append(UInt8((n >> (8 * UInt64(i))) & 0xFF)) }
    out += header
    for (_, t) in tensors {
      switch t {
      case .f32(let x):
        for v in x.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
      case .i64(_, let v):
        for i in v { withUnsafeBytes(of: i.littleEndian) { out += $0 } }
      }
    }
    return out
  }

  /// Writes `tensors` (in order) and `metadata` to `url`, atomically (`AtomicFile`: a killed
  /// writer leaves the old file and a temporary that `TemporaryFiles` recognises).
  public static func write(
    _ tensors: [(String, SafeTensor)], metadata: [String: String] = [:], to url: URL
  ) throws {
    let bytes = try encode(tensors, metadata: metadata)
    do {
      try AtomicFile.write(bytes, to: url.path)
    } catch {
      throw SafeTensorsError(file: url.path, message: "cannot write: \(FileError.reason(of: error))")
    }
  }

  /// A JSON string literal.
  static func quote(_ s: String) -> String {
    var r = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": r += "\\\""
      case "\\": r += "\\\\"
      case "\n": r += "\\n"
      case "\r": r += "\\r"
      case "\t": r += "\\t"
      default:
        if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
      }
    }
    return r + "\""
  }
}
