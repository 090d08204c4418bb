import CJPEG
import CPNG
import Foundation
import LetheKernels

/// Decodes JPEG (libjpeg) and PNG (libpng) images held in memory into planar bytes of a fixed
/// channel count (1 grey or 3 RGB) and size (bilinear resize when the image differs).
public enum ImageDecoder {
  /// Decodes `data` to `channels × height × width` planar bytes; `file` names it in errors.
  public static func decode(
    _ data: UnsafeBufferPointer<UInt8>, file: String, channels: Int,
    height: Int, width: Int
  ) throws -> [UInt8] {
    guard data.count >= 8 else {
      throw DataError.malformed(file: file, problem: "not an image (\(data.count) bytes)")
    }
    let (pixels, h, w) = try decodeInterleaved(data, file: file, channels: channels)
    var planar = [UInt8](repeating: 0, count: channels * h * w)
    pixels.withUnsafeBufferPointer { src in
      planar.withUnsafeMutableBufferPointer { dst in
        DataBatchKernel.interleavedToPlanar(
          src: src.baseAddress!, dst: dst.baseAddress!,
          channels: channels, plane: h * w)
      }
    }
    if h == height && w == width { return planar }
    var out = [UInt8](repeating: 0, count: channels * height * width)
    planar.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for c in 0..<channels {
          DataBatchKernel.resizeBilinear(
            src: src.baseAddress! + c * h * w, srcHeight: h, srcWidth: w,
            dst: dst.baseAddress! + c * height * width, height: height, width: width)
        }
      }
    }
    return out
  }

  /// Decodes to interleaved pixels at the image's own size.
  static func decodeInterleaved(
    _ data: UnsafeBufferPointer<UInt8>, file: String,
    channels: Int
  ) throws -> ([UInt8], Int, Int) {
    let b = data.baseAddress!
    if b[0] == 0xFF && b[1] == 0xD8 { return try decodeJPEG(data, file: file, channels: channels) }
    if b[0] == 0x89 && b[1] == 0x50 && b[2] == 0x4E && b[3] == 0x47 {
      return try decodePNG(data, file: file, channels: channels)
    }
    throw DataError.malformed(file: file, problem: "not a JPEG or PNG image (unknown signature)")
  }

  private static func decodeJPEG(
    _ data: UnsafeBufferPointer<UInt8>, file: String,
    channels: Int
  ) throws -> ([UInt8], Int, Int) {
    var out: UnsafeMutablePointer<UInt8>?
    var w: Int32 = 0, h: Int32 = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = lethe_jpeg_decode(
      data.baseAddress, UInt(data.count), Int32(channels), &out, &w, &h, &message)
    guard status == 0, let out else {
      let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw DataError.malformed(file: file, problem: "bad JPEG: \(text)")
    }
    defer { free(out) }
    let count = Int(w) * Int(h) * channels
    guard w > 0 && h > 0 else { throw DataError.malformed(file: file, problem: "JPEG of size 0") }
    return ([UInt8](UnsafeBufferPointer(start: out, count: count)), Int(h), Int(w))
  }

  private static func decodePNG(
    _ data: UnsafeBufferPointer<UInt8>, file: String,
    channels: Int
  ) throws -> ([UInt8], Int, Int) {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    guard png_image_begin_read_from_memory(&image, data.baseAddress, data.count) != 0 else {
      throw DataError.malformed(file: file, problem: "bad PNG: \(pngMessage(&image))")
    }
    defer { png_image_free(&image) }
    image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
    let w = Int(image.width), h = Int(image.height)
    guard w > 0, h > 0, w * h <= 1 << 28 else {
      throw DataError.malformed(file: file, problem: "PNG of unusable size \(w)×\(h)")
    }
    // Not zero-filled first: a header claiming a huge image costs no memory until rows arrive.
    var ok: Int32 = 0
    let pixels = [UInt8](unsafeUninitializedCapacity: w * h * channels) { p, count in
      ok = png_image_finish_read(&image, nil, p.baseAddress, Int32(w * channels), nil)
      count = ok != 0 ? w * h * channels : 0
    }
    guard ok != 0 else { throw DataError.malformed(file: file, problem: "bad PNG: \(pngMessage(&image))") }
    return (pixels, h, w)
  }

  private static func pngMessage(_ image: inout png_image) -> String {
    withUnsafeBytes(of: &image.message) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// Encodes interleaved pixels as a baseline JPEG (for tests and tools).
  public static func encodeJPEG(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int,
    quality: Int = 95
  ) throws -> [UInt8] {
    guard pixels.count == width * height * channels, channels == 1 || channels == 3 else {
      throw DataError.invalidArgument(
        name: "pixels", problem: "\(pixels.count) bytes for \(width)×\(height)×\(channels)")
    }
    var out: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = lethe_jpeg_encode(
      pixels, Int32(width), Int32(height), Int32(channels), Int32(quality),
      &out, &size, &message)
    guard status == 0, let out else {
      let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw DataError.invalidArgument(name: "JPEG encoding", problem: text)
    }
    defer { free(out) }
    return [UInt8](UnsafeBufferPointer(start: out, count: Int(size)))
  }

  /// Encodes interleaved pixels as PNG (for tests and tools).
  public static func encodePNG(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
    guard pixels.count == width * height * channels, channels == 1 || channels == 3 else {
      throw DataError.invalidArgument(
        name: "pixels", problem: "\(pixels.count) bytes for \(width)×\(height)×\(channels)")
    }
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
    var size = 0
    guard png_image_write_to_memory(&image, nil, &size, 0, pixels, Int32(width * channels), nil) != 0 else {
      throw DataError.invalidArgument(name: "PNG encoding", problem: pngMessage(&image))
    }
    var out = [UInt8](repeating: 0, count: size)
    let ok = out.withUnsafeMutableBytes { p in
      png_image_write_to_memory(&image, p.baseAddress, &size, 0, pixels, Int32(width * channels), nil)
    }
    guard ok != 0 else { throw DataError.invalidArgument(name: "PNG encoding", problem: pngMessage(&image)) }
    return Array(out.prefix(size))
  }
}
