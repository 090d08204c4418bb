/// Purchase (Shokri et al.'s shopping-history classification task) in its two published forms:
/// text, one sample a line (`label,f1,…,fD`, features 0/1, D = 600), and `.npz` with `features`
/// (N×D) and `labels` (N, or N×K one-hot). Features are stored as bytes.
public enum PurchaseFile {
  /// Reads the text form. Labels are 1-based in the published file (1…100); `labelBase` nil means
  /// "1 when no label is 0, else 0". `classCount` nil means the largest label seen, plus one.
  public static func loadText(
    _ path: String, name: String, labelBase: Int? = nil,
    classCount: Int? = nil
  ) throws -> Dataset {
    try parseText(
      try FileBytes.read(path), file: path, name: name, labelBase: labelBase, classCount: classCount)
  }

  /// The most bytes the text form may inflate to (the published file is about 240 MB).
  public static let maxTextBytes = 1 << 31

  /// Parses the text form held in memory (gzipped or raw); `file` names it in errors.
  public static func parseText(
    _ raw: [UInt8], file path: String, name: String, labelBase: Int? = nil,
    classCount: Int? = nil
  ) throws -> Dataset {
    let bytes = try FileBytes.maybeGunzip(raw, file: path, limit: InflateLimit(maximum: maxTextBytes))
    var labels: [Int] = []
    var features: [UInt8] = []
    var width = -1
    var line = 1
    var i = 0
    let n = bytes.count
    func bad(_ problem: String) -> DataError { .malformed(file: path, problem: "line \(line): \(problem)") }
    while i < n {
      // Skip blank lines (and a CR of CRLF endings).
      if bytes[i] == 10 { line += 1; i += 1; continue }
      if bytes[i] == 13 { i += 1; continue }
      var fields = 0
      var label = 0
      while true {
        var value = 0, digits = 0, negative = false
        while i < n, bytes[i] == 32 || bytes[i] == 9 { i += 1 }
        if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        while i < n, bytes[i] >= 48, bytes[i] <= 57 {
          value = value * 10 + Int(bytes[i] - 48)
          digits += 1
          i += 1
          if digits > 9 { throw bad("number too long in field \(fields + 1)") }
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {  // accept 0.0 / 1.0
          i += 1
          while i < n, bytes[i] == 48 { i += 1 }
        }
        while i < n, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 13 { i += 1 }
        guard digits > 0 else { throw bad("field \(fields + 1) is not a number") }
        if negative { value = -value }
        if fields == 0 {
          label = value
        } else {
          guard value == 0 || value == 1 else { throw bad("feature \(fields) is \(value), not 0 or 1") }
          features.append(UInt8(value))
        }
        fields += 1
        if i >= n || bytes[i] == 10 { break }
        guard bytes[i] == UInt8(ascii: ",") else {
          throw bad("unexpected character '\(Character(Unicode.Scalar(bytes[i])))' in field \(fields)")
        }
        i += 1
      }
      let got = fields - 1
      if width < 0 { width = got }
      guard got == width, got > 0 else {
        throw bad("\(got) features, earlier lines have \(width)")
      }
      labels.append(label)
    }
    return try build(
      labels: labels, features: features, width: width, path: path, name: name,
      labelBase: labelBase, classCount: classCount)
  }

  /// Reads the `.npz` form (arrays `features` and `labels`; `x`/`X` and `y`/`Y` also accepted).
  public static func loadNPZ(
    _ path: String, name: String, labelBase: Int? = 0,
    classCount: Int? = nil
  ) throws -> Dataset {
    try parseNPZ(
      try FileBytes.read(path), file: path, name: name, labelBase: labelBase, classCount: classCount)
  }

  /// Parses the `.npz` form held in memory; `file` names it in errors.
  public static func parseNPZ(
    _ bytes: [UInt8], file path: String, name: String, labelBase: Int? = 0,
    classCount: Int? = nil
  ) throws -> Dataset {
    let arrays = try NumPyArray.parseArchive(bytes, file: path)
    guard let x = arrays["features"] ?? arrays["x"] ?? arrays["X"],
      let y = arrays["labels"] ?? arrays["y"] ?? arrays["Y"]
    else {
      throw DataError.malformed(
        file: path, problem: "needs arrays 'features' and 'labels'; has \(arrays.keys.sorted())")
    }
    guard x.shape.count == 2, x.shape[0] > 0, x.shape[1] > 0 else {
      throw DataError.malformed(file: path, problem: "features have shape \(x.shape), expected N×D")
    }
    var labels: [Int]
    if y.shape.count == 2 {  // one-hot
      let k = y.shape[1]
      let v = y.floats
      labels = []
      for r in 0..<y.shape[0] {
        let row = v[(r * k)..<((r + 1) * k)]
        guard row.allSatisfy({ $0 == 0 || $0 == 1 }), row.filter({ $0 == 1 }).count == 1 else {
          throw DataError.malformed(file: path, problem: "labels row \(r) is not one-hot")
        }
        labels.append(row.firstIndex(of: 1)! - r * k)
      }
      return try build(
        labels: labels, features: try binary(x, path), width: x.shape[1], path: path, name: name,
        labelBase: 0, classCount: classCount ?? k, sampleCount: x.shape[0])
    }
    guard y.shape.count == 1 else {
      throw DataError.malformed(file: path, problem: "labels have shape \(y.shape), expected N or N×K")
    }
    labels = try y.ints(file: path)
    return try build(
      labels: labels, features: try binary(x, path), width: x.shape[1], path: path, name: name,
      labelBase: labelBase, classCount: classCount, sampleCount: x.shape[0])
  }

  private static func binary(_ x: NumPyArray, _ path: String) throws -> [UInt8] {
    let f = x.floats
    var out = [UInt8](repeating: 0, count: f.count)
    for i in 0..<f.count {
      guard f[i] == 0 || f[i] == 1 else {
        throw DataError.malformed(file: path, problem: "feature value \(f[i]) at element \(i) is not 0 or 1")
      }
      out[i] = f[i] == 1 ? 1 : 0
    }
    return out
  }

  private static func build(
    labels raw: [Int], features: [UInt8], width: Int, path: String, name: String,
    labelBase: Int?, classCount: Int?, sampleCount: Int? = nil
  ) throws -> Dataset {
    guard !raw.isEmpty else { throw DataError.malformed(file: path, problem: "holds no samples") }
    if let sampleCount, sampleCount != raw.count {
      throw DataError.malformed(file: path, problem: "\(raw.count) labels for \(sampleCount) feature rows")
    }
    let base = labelBase ?? (raw.contains(0) ? 0 : 1)
    // Labels are checked before any arithmetic on them: a stray huge label must not trap, nor
    // silently make millions of classes.
    let most = Dataset.maxClassCount
    if let i = raw.firstIndex(where: {
      let (offset, overflow) = $0.subtractingReportingOverflow(base)
      return $0 < base || overflow || offset >= most
    }) {
      throw DataError.malformed(
        file: path,
        problem: raw[i] < base
          ? "label \(raw[i]) of sample \(i) is below \(base) (labels are \(base)-based)"
          : "label \(raw[i]) of sample \(i) is too large: labels run from \(base) and at most "
            + "\(most) classes are supported")
    }
    let labels = raw.map { $0 - base }
    if let classCount, classCount < 1 || classCount > most {
      throw DataError.invalidArgument(
        name: "class count of \(path)", problem: "\(classCount) is not in 1…\(most)")
    }
    let k = classCount ?? ((labels.max() ?? 0) + 1)
    if let (i, _) = labels.enumerated().first(where: { $0.element >= k }) {
      throw DataError.malformed(
        file: path, problem: "label \(raw[i]) of sample \(i) is outside \(base)..<\(k + base)")
    }
    return try Dataset(
      name: name, sampleShape: [width], classCount: k, labels: labels.map { Int32($0) },
      storage: .bytes(features, scale: 1), origin: path)
  }
}

/// A synthetic stand-in for Purchase (named as synthetic wherever it appears): `features` binary
/// features, K classes each drawn from its own random prototype with each bit flipped with
/// probability `noise`. Train and test share the prototypes.
public enum PurchaseSynthetic {
  /// Generates (train, test) from `seed`; labels are balanced (i mod K), then shuffled.
  public static func generate(
    classes: Int, trainCount: Int, testCount: Int, features: Int = 600,
    noise: Double = 0.1, seed: UInt64
  ) throws -> (train: Dataset, test: Dataset) {
    guard classes >= 2, features > 0, trainCount >= classes, testCount >= 1, noise >= 0, noise <= 0.5 else {
      throw DataError.invalidArgument(
        name: "purchase-synthetic",
        problem: "needs classes ≥ 2, trainCount ≥ classes, testCount ≥ 1, features > 0, "
          + "noise in [0, 0.5]")
    }
    var generator = RandomGenerator(seed: seed)
    let prototypes = (0..<(classes * features)).map { _ in UInt8(generator.nextInt(below: 2)) }
    let threshold = UInt64(noise * Double(UInt64.max))
    func make(_ count: Int, _ split: String, _ g: inout RandomGenerator) throws -> Dataset {
      let order = g.permutation(count)
      var x = [UInt8](repeating: 0, count: count * features)
      var y = [Int32](repeating: 0, count: count)
      for i in 0..<count {
        let c = order[i] % classes
        y[i] = Int32(c)
        for j in 0..<features {
          let bit = prototypes[c * features + j]
          x[i * features + j] = g.next() < threshold ? 1 - bit : bit
        }
      }
      return try Dataset(
        name: "purchase-synthetic/\(split)", sampleShape: [features], classCount: classes,
        labels: y, storage: .bytes(x, scale: 1), isSynthetic: true,
        origin: "synthetic Purchase-like generator (seed \(seed), K=\(classes), noise \(noise))")
    }
    var trainGenerator = generator.split()
    var testGenerator = generator.split()
    return (try make(trainCount, "train", &trainGenerator), try make(testCount, "test", &testGenerator))
  }
}
