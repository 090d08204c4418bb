import CZlib

/// zlib's inflate over whole buffers: gzip files, zlib streams (MATLAB's miCOMPRESSED) and raw
/// deflate (zip entries). Errors name the file and what zlib said.
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

  /// Decompresses every member of a gzip file.
  static func gunzip(_ bytes: [UInt8], file: String) throws -> [UInt8] {
    var out: [UInt8] = []
    var offset = 0
    // Concatenated gzip members decompress to the concatenation of their contents.
    while offset < bytes.count {
      let (member, used) = try inflate(bytes, from: offset, wrapping: .gzip, file: file,
                                       sizeHint: bytes.count * 4)
      out.append(contentsOf: member)
      offset += used
      while offset < bytes.count && bytes[offset] == 0 { offset += 1 }  // trailing padding
      if offset + 1 < bytes.count && !(bytes[offset] == 0x1f && bytes[offset + 1] == 0x8b) { break }
    }
    return out
  }

  /// Inflates one stream starting at `start`; returns the output and how many input bytes it used.
  /// `expected`, when given, is the exact decompressed size (zip entries record it).
  static func inflate(_ bytes: [UInt8], from start: Int, count: Int? = nil, wrapping: Wrapping,
                      file: String, sizeHint: Int, expected: Int? = nil) throws -> ([UInt8], Int) {
    let available = count ?? (bytes.count - start)
    var stream = z_stream()
    var status = inflateInit2_(&stream, wrapping.windowBits, ZLIB_VERSION,
                               Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError.malformed(file: file, problem: "zlib could not start inflating (code \(status))")
    }
    defer { inflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Swift.max(expected ?? sizeHint, 64))
    var produced = 0
    var remainingIn = available
    try bytes.withUnsafeBufferPointer { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
      stream.avail_in = 0
      while true {
        if stream.avail_in == 0 && remainingIn > 0 {
          let chunk = Swift.min(remainingIn, Int(UInt32.max / 2))
          stream.avail_in = UInt32(chunk)
          remainingIn -= chunk
        }
        if produced == out.count {
          if expected != nil {
            throw DataError.malformed(file: file, problem: "compressed data is longer than its header says")
          }
          out.append(contentsOf: [UInt8](repeating: 0, count: out.count))
        }
        let room = Swift.min(out.count - produced, Int(UInt32.max / 2))
        status = out.withUnsafeMutableBufferPointer { o -> Int32 in
          stream.next_out = o.baseAddress! + produced
          stream.avail_out = UInt32(room)
          let s = CZlib.inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          return s
        }
        if status == Z_STREAM_END { break }
        if status == Z_BUF_ERROR && stream.avail_in == 0 && remainingIn == 0 {
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
    return (out, available - remainingIn - Int(stream.avail_in))
  }
}

/// zlib's deflate over a whole buffer: how tests and tools write gzip files, zlib streams and zip
/// entries in the real formats.
enum Deflate {
  /// Compresses `bytes` with the given wrapping at zlib's default level.
  static func compress(_ bytes: [UInt8], wrapping: Inflate.Wrapping) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, wrapping.windowBits, 8,
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
    bytes.withUnsafeBufferPointer { p in UInt32(truncatingIfNeeded: crc32(0, p.baseAddress, UInt32(p.count))) }
  }
}
