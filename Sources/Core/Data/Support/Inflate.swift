import CZlib

/// zlib's inflate over whole buffers: gzip files, zlib streams (MATLAB's miCOMPRESSED) and raw
/// deflate (zip entries). Errors name the file and what zlib said.
///
/// The output is bounded before it is produced, so a small file that inflates to gigabytes (a
/// "gzip bomb") fails early with little memory used: by the exact size the container records
/// (zip entries), by the size the format's own header declares as soon as its first bytes are
/// out (`InflateLimit.declared`: IDX dimensions, a MAT element's length), and by a maximum.
enum Inflate {
  /// How the compressed stream is wrapped.
  enum Wrapping {
    case gzip, zlib, raw
    var windowBits: Int32 {
      switch self {
      case .gzip: return 15 + 16
      case .zlib: return 15
      case .raw: return -15
      }
    }
  }

  /// Decompresses every member of a gzip file (concatenated members decompress to the
  /// concatenation of their contents; zero padding and trailing bytes after a member are ignored).
  static func gunzip(_ bytes: [UInt8], file: String, limit: InflateLimit = InflateLimit()) throws -> [UInt8] {
    // The trailer's ISIZE (length mod 2^32) sizes the output of a single-member file exactly; it
    // is only a hint, trusted up to deflate's largest ratio.
    let trailerSize = bytes.count >= 18 ? Int(bytes.littleEndian(at: bytes.count - 4, width: 4)) : 0
    let hint = min(trailerSize + 1, max(bytes.count * 1032, 1 << 20))
    return try inflate(bytes, from: 0, wrapping: .gzip, file: file, sizeHint: hint, limit: limit).0
  }

  /// Inflates one stream (for gzip, every member) starting at `start`; returns the output and how
  /// many input bytes it used. `expected`, when given, is the exact decompressed size (zip entries
  /// record it).
  static func inflate(
    _ bytes: [UInt8], from start: Int, count: Int? = nil, wrapping: Wrapping,
    file: String, sizeHint: Int, expected: Int? = nil, limit: InflateLimit = InflateLimit()
  ) throws -> ([UInt8], Int) {
    let available = count ?? (bytes.count - start)
    var stream = z_stream()
    var status = inflateInit2_(
      &stream, wrapping.windowBits, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError.malformed(file: file, problem: "zlib could not start inflating (code \(status))")
    }
    defer { inflateEnd(&stream) }
    // The most bytes the output may hold; one more is room to notice a stream that runs past it.
    var bound = min(expected ?? limit.maximum, limit.maximum)
    var declaredKnown = limit.declared == nil || expected != nil
    // Start at the expected size, then double. The buffer is not zero-filled: a size that a header
    // claims but the stream never fills costs address space, not memory.
    var out = uninitialized(max(min(expected ?? sizeHint, bound) + 1, 64), keeping: [], 0)
    var produced = 0
    var consumed = 0  // input bytes handed to zlib
    try bytes.withUnsafeBufferPointer { input in
      let base = input.baseAddress! + start
      stream.next_in = UnsafeMutablePointer(mutating: base)
      stream.avail_in = 0
      while true {
        if stream.avail_in == 0 && consumed < available {
          let chunk = Swift.min(available - consumed, Int(UInt32.max / 2))
          stream.avail_in = UInt32(chunk)
          consumed += chunk
        }
        if produced == out.count {
          guard produced <= bound else { throw tooLong(file, bound, expected != nil, declaredKnown) }
          out = uninitialized(out.count + Swift.min(out.count, bound + 1 - out.count), keeping: out, produced)
        }
        // Until the header is out, inflate a little at a time so the bound applies early.
        let step = declaredKnown ? Int(UInt32.max / 2) : 4096
        let room = Swift.min(out.count - produced, step)
        status = out.withUnsafeMutableBufferPointer { o -> Int32 in
          stream.next_out = o.baseAddress! + produced
          stream.avail_out = UInt32(room)
          let s = CZlib.inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          return s
        }
        if !declaredKnown, let declared = limit.declared,
          let size = try declared(Array(out[0..<Swift.min(produced, 65_536)]))
        {
          bound = Swift.min(bound, size)
          declaredKnown = true
        } else if !declaredKnown && status == Z_STREAM_END {
          declaredKnown = true
        }
        guard produced <= bound else { throw tooLong(file, bound, expected != nil, declaredKnown) }
        if status == Z_STREAM_END {
          guard wrapping == .gzip else { break }
          // Another gzip member may follow (after zero padding); anything else ends the file.
          var next = Int(bitPattern: stream.next_in) - Int(bitPattern: base)
          while next < available && input[start + next] == 0 { next += 1 }
          guard next + 1 < available, input[start + next] == 0x1f, input[start + next + 1] == 0x8b else {
            break
          }
          inflateReset(&stream)
          stream.next_in = UnsafeMutablePointer(mutating: base + next)
          stream.avail_in = 0
          consumed = next
          continue
        }
        if status == Z_BUF_ERROR && stream.avail_in == 0 && consumed == available {
          throw DataError.malformed(file: file, problem: "compressed data is truncated")
        }
        if status != Z_OK && status != Z_BUF_ERROR {
          let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
          throw DataError.malformed(file: file, problem: "corrupt compressed data (\(message))")
        }
      }
    }
    out.removeSubrange(produced...)
    if let expected, produced != expected {
      throw DataError.malformed(
        file: file, problem: "decompressed to \(produced) bytes, its header says \(expected)")
    }
    return (out, consumed - Int(stream.avail_in))
  }

  /// A buffer of `count` bytes whose first `kept` bytes are those of `old`; the rest are
  /// uninitialised (only bytes zlib has written are ever read).
  private static func uninitialized(_ count: Int, keeping old: [UInt8], _ kept: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      if kept > 0 {
        old.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: kept) }
      }
      initialized = count
    }
  }

  private static func tooLong(_ file: String, _ bound: Int, _ recorded: Bool, _ declared: Bool) -> DataError {
    .malformed(
      file: file,
      problem: recorded || declared
        ? "compressed data is longer than its header says (more than \(bound) bytes)"
        : "decompresses to more than \(bound) bytes, the most this format allows")
  }
}

/// How far a compressed stream may inflate: never past `maximum`, and, once the format's header is
/// out, never past the size it declares.
struct InflateLimit {
  /// The most bytes any stream may inflate to (a format's plausible maximum).
  var maximum: Int = 1 << 32
  /// Given the first bytes inflated so far (up to 64 KiB), the whole output's size as the format's
  /// header declares it, or nil while the header is not complete yet; throws for a bad header.
  var declared: (([UInt8]) throws -> Int?)?
}

/// zlib's deflate over a whole buffer: how tests and tools write gzip files, zlib streams and zip
/// entries in the real formats.
enum Deflate {
  /// Compresses `bytes` with the given wrapping at zlib's default level.
  static func compress(_ bytes: [UInt8], wrapping: Inflate.Wrapping) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(
      &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, wrapping.windowBits, 8,
      Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2 failed")
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    var input = bytes
    let produced = input.withUnsafeMutableBufferPointer { i in
      out.withUnsafeMutableBufferPointer { o -> Int in
        stream.next_in = i.baseAddress
        stream.avail_in = UInt32(i.count)
        stream.next_out = o.baseAddress
        stream.avail_out = UInt32(o.count)
        let s = deflate(&stream, Z_FINISH)
        precondition(s == Z_STREAM_END, "deflate did not finish")
        return o.count - Int(stream.avail_out)
      }
    }
    return Array(out.prefix(produced))
  }

  /// The CRC-32 of `bytes` (zip's checksum).
  static func crc(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { crc($0) }
  }

  /// The CRC-32 of raw bytes, continuing from `previous` (zlib's `crc32`, 1 GiB at a time).
  static func crc(_ bytes: UnsafeRawBufferPointer, previous: UInt32 = 0) -> UInt32 {
    var c = UInt(previous)
    var offset = 0
    while offset < bytes.count {
      let n = min(bytes.count - offset, 1 << 30)
      c = crc32(c, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, UInt32(n))
      offset += n
    }
    return UInt32(truncatingIfNeeded: c)
  }
}
