import LetheKernels

/// SVHN's cropped-digit `.mat` files (`train_32x32.mat`, `test_32x32.mat`): `X` is 32×32×3×N
/// uint8 (MATLAB column-major: row, column, channel, sample) and `y` is N×1 with 10 meaning digit 0.
public enum SVHNFile {
  /// Loads one SVHN file as a dataset of `[3, 32, 32]` samples, labels 0–9.
  public static func load(_ path: String, name: String) throws -> Dataset {
    try parse(try FileBytes.read(path), file: path, name: name)
  }

  /// Parses an SVHN `.mat` file held in memory; `file` names it in errors.
  public static func parse(_ bytes: [UInt8], file path: String, name: String) throws -> Dataset {
    let vars = try MATFile.parse(bytes, file: path)
    guard let x = vars["X"] else { throw DataError.malformed(file: path, problem: "has no variable 'X'") }
    guard let y = vars["y"] else { throw DataError.malformed(file: path, problem: "has no variable 'y'") }
    let d = x.dimensions
    guard d.count == 4 || (d.count == 3) else {
      throw DataError.malformed(file: path, problem: "X has dimensions \(d), expected rows×cols×3×N")
    }
    let n = d.count == 4 ? d[3] : 1
    guard d[2] == 3, d[0] > 0, d[1] > 0 else {
      throw DataError.malformed(file: path, problem: "X has dimensions \(d), expected rows×cols×3×N")
    }
    guard case .uint8(let raw) = x.values else {
      throw DataError.malformed(file: path, problem: "X is not uint8")
    }
    guard y.dimensions.reduce(1, *) == n else {
      throw DataError.malformed(
        file: path, problem: "y has \(y.dimensions.reduce(1, *)) labels for \(n) images")
    }
    guard n > 0 else { throw DataError.malformed(file: path, problem: "holds no images") }
    let labels = try y.valuesAsInts(file: path).enumerated().map { (i, v) -> Int32 in
      guard v >= 1 && v <= 10 else {
        throw DataError.malformed(file: path, problem: "label \(v) of sample \(i) is outside 1–10")
      }
      return Int32(v == 10 ? 0 : v)
    }
    var pixels = [UInt8](repeating: 0, count: raw.count)
    raw.withUnsafeBufferPointer { s in
      pixels.withUnsafeMutableBufferPointer { t in
        DataBatchKernel.columnToRowMajor(
          src: s.baseAddress!, dst: t.baseAddress!, planes: 3 * n,
          rows: d[0], cols: d[1])
      }
    }
    return try Dataset(
      name: name, sampleShape: [3, d[0], d[1]], classCount: 10, labels: labels,
      storage: .bytes(pixels, scale: 1 / 255), origin: path)
  }
}

extension MATFile.Matrix {
  func valuesAsInts(file: String) throws -> [Int] {
    try NumPyArray(shape: [dimensions.reduce(1, *)], values: values).ints(file: file)
  }
}
