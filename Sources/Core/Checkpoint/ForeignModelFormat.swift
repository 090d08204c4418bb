/// Recognises the files people mistake for safetensors, by their first bytes, and says what each
/// is and how to convert it. Lethe never reads pickles: unpickling runs arbitrary code.
enum ForeignModelFormat {
  /// How to write a safetensors file from PyTorch, for every message below.
  static let conversion =
    "convert it in Python: model.load_state_dict(torch.load(path, map_location='cpu')), then "
    + "safetensors.torch.save_file(model.state_dict(), 'model.safetensors')"

  /// A sentence saying what `bytes` are when they are a known non-safetensors format, else nil.
  static func describe(_ bytes: [UInt8]) -> String? {
    func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
    if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
      // torch.save's zip holds `<name>/data.pkl`; the name is in the first local header.
      if contains(Array("data.pkl".utf8), in: bytes) {
        return "is a PyTorch file written by torch.save (a zip of pickles), not safetensors; "
          + conversion
      }
      return "is a zip archive (a NumPy .npz?), not safetensors"
    }
    // Pickle protocol 2–5 starts with PROTO; legacy torch.save files are such pickles.
    if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
      return "is a Python pickle (a legacy torch.save file?), not safetensors; " + conversion
    }
    if starts([0x89, 0x48, 0x44, 0x46]) { return "is an HDF5 file (Keras .h5?), not safetensors" }
    if starts([0x93] + Array("NUMPY".utf8)) { return "is a NumPy .npy array, not safetensors" }
    if starts([0x1F, 0x8B]) { return "is gzip-compressed; decompress it first (gunzip)" }
    return nil
  }

  private static func contains(_ needle: [UInt8], in bytes: [UInt8]) -> Bool {
    guard bytes.count >= needle.count else { return false }
    for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] {
      if Array(bytes[i..<(i + needle.count)]) == needle { return true }
    }
    return false
  }
}
