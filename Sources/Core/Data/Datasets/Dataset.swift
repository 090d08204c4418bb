import LetheKernels

/// A labelled dataset in memory: images stored as bytes (planar channel × row × column) or feature
/// vectors stored as bytes or Floats. Float batches are built on demand: value = stored · scale,
/// then per-channel normalisation (value − mean[c]) / std[c].
public struct Dataset: LabeledSource {
  /// How samples are kept in memory.
  public enum Storage: Sendable {
    /// One byte per element; the element's value is byte · `scale` (1/255 for pixels, 1 for 0/1).
    case bytes([UInt8], scale: Float)
    /// One Float per element.
    case floats([Float])
  }

  /// The dataset's name with its split, e.g. "mnist/train"; synthetic data says so here.
  public var name: String
  /// The shape of one sample: `[channels, height, width]` for images, `[features]` otherwise.
  public let sampleShape: [Int]
  /// The number of classes labels are drawn from.
  public let classCount: Int
  /// Human names of the classes (or "0", "1", ... when the format has none).
  public var classNames: [String]
  /// One label per sample, in `0..<classCount`.
  public let labels: [Int32]
  /// The samples, `sampleCount × sampleShape` elements.
  public let storage: Storage
  /// Per-channel mean and standard deviation subtracted and divided after scaling (identity: 0, 1).
  public var normalization: Normalization
  /// True for generated stand-ins (synthetic Purchase); reports must label results on them.
  public var isSynthetic: Bool
  /// Where the samples came from (files or generator), for reports and `lethe data`.
  public var origin: String

  /// The most classes a dataset may have: far more than any classification set the survey uses
  /// (ImageNet-21k has 21,841), and small enough that one stray label cannot size a model's output.
  public static let maxClassCount = 100_000

  /// A dataset; throws when counts disagree or a label is out of range.
  public init(
    name: String, sampleShape: [Int], classCount: Int, classNames: [String]? = nil,
    labels: [Int32], storage: Storage, isSynthetic: Bool = false, origin: String
  ) throws {
    guard let per = checkedProduct(sampleShape) else {
      throw DataError.malformed(file: origin, problem: "impossible sample shape \(sampleShape)")
    }
    let stored: Int
    switch storage {
    case .bytes(let b, _): stored = b.count
    case .floats(let f): stored = f.count
    }
    guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }) else {
      throw DataError.malformed(file: origin, problem: "invalid sample shape \(sampleShape)")
    }
    let (needed, overflow) = per.multipliedReportingOverflow(by: labels.count)
    guard !overflow, stored == needed else {
      throw DataError.malformed(
        file: origin, problem: "\(stored) stored values for \(labels.count) samples of shape \(sampleShape)")
    }
    guard classCount > 0 else {
      throw DataError.malformed(file: origin, problem: "no classes")
    }
    guard classCount <= Dataset.maxClassCount else {
      throw DataError.malformed(
        file: origin, problem: "\(classCount) classes; at most \(Dataset.maxClassCount) are supported")
    }
    if let bad = labels.first(where: { $0 < 0 || Int($0) >= classCount }) {
      throw DataError.malformed(file: origin, problem: "label \(bad) outside 0..<\(classCount)")
    }
    if let classNames, classNames.count != classCount {
      throw DataError.malformed(
        file: origin, problem: "\(classNames.count) class names for \(classCount) classes")
    }
    self.name = name
    self.sampleShape = sampleShape
    self.classCount = classCount
    self.classNames = classNames ?? (0..<classCount).map(String.init)
    self.labels = labels
    self.storage = storage
    self.normalization = .identity(channels: sampleShape.count == 3 ? sampleShape[0] : 1)
    self.isSynthetic = isSynthetic
    self.origin = origin
  }

  /// How many samples this source holds.
  public var sampleCount: Int { labels.count }
  /// Elements per sample.
  public var sampleSize: Int { sampleShape.reduce(1, *) }
  /// Channels normalisation works over: the first axis of an image, else one.
  public var channelCount: Int { sampleShape.count == 3 ? sampleShape[0] : 1 }
  /// True for `[channels, height, width]` samples.
  public var isImage: Bool { sampleShape.count == 3 }

  /// The label of sample `index`.
  public func label(at index: Int) -> Int { Int(labels[index]) }

  /// The same dataset with `normalization` replaced (storage is shared, not copied).
  public func normalized(_ normalization: Normalization) throws -> Dataset {
    guard normalization.mean.count == channelCount else {
      throw DataError.invalidArgument(
        name: "normalization of \(name)",
        problem: "\(normalization.mean.count) channels given, the data has \(channelCount)")
    }
    var copy = self
    copy.normalization = normalization
    return copy
  }

  /// Per-channel mean and standard deviation of the scaled values over every sample.
  public func channelStatistics() -> Normalization {
    let channels = channelCount, plane = sampleSize / channels
    var sums = [Double](repeating: 0, count: channels), squares = sums
    switch storage {
    case .bytes(let bytes, let scale):
      bytes.withUnsafeBufferPointer { src in
        DataBatchKernel.channelSums(
          src: src.baseAddress!, count: sampleCount, channels: channels,
          plane: plane, sums: &sums, squares: &squares)
      }
      for c in 0..<channels {
        sums[c] *= Double(scale)
        squares[c] *= Double(scale) * Double(scale)
      }
    case .floats(let values):
      for n in 0..<sampleCount {
        for c in 0..<channels {
          for i in 0..<plane {
            let v = Double(values[(n * channels + c) * plane + i])
            sums[c] += v
            squares[c] += v * v
          }
        }
      }
    }
    let total = Double(max(1, sampleCount * plane))
    let mean = sums.map { $0 / total }
    let std = zip(squares, mean).map { max(0, $0 / total - $1 * $1).squareRoot() }
    return Normalization(mean: mean.map(Float.init), std: std.map { Float($0 > 1e-12 ? $0 : 1) })
  }

  /// The samples at `indices`, normalised, without augmentation.
  public func batch(at indices: [Int]) throws -> Batch {
    try checkIndices(indices, source: name)
    return build(indices, augmentation: nil, generator: nil)
  }

  /// The samples at `indices` with seeded training augmentation drawn from `generator`
  /// (one crop offset and one flip decision per sample). Non-image data ignores augmentation.
  public func batch(
    at indices: [Int], augmentation: Augmentation,
    generator: inout RandomGenerator
  ) throws -> Batch {
    try checkIndices(indices, source: name)
    return withUnsafeMutablePointer(to: &generator) { g in
      build(indices, augmentation: augmentation, generator: g)
    }
  }

  private func build(
    _ indices: [Int], augmentation: Augmentation?,
    generator: UnsafeMutablePointer<RandomGenerator>?
  ) -> Batch {
    let size = sampleSize, channels = channelCount, plane = size / channels
    var a = [Float](repeating: 1, count: channels), b = [Float](repeating: 0, count: channels)
    let scale: Float
    if case .bytes(_, let s) = storage { scale = s } else { scale = 1 }
    for c in 0..<channels {
      a[c] = scale / normalization.std[c]
      b[c] = -normalization.mean[c] / normalization.std[c]
    }
    var out = [Float](repeating: 0, count: indices.count * size)
    let augmenting = isImage && augmentation != nil && generator != nil
    out.withUnsafeMutableBufferPointer { dst in
      switch storage {
      case .bytes(let bytes, _):
        bytes.withUnsafeBufferPointer { src in
          for (k, i) in indices.enumerated() {
            let s = src.baseAddress! + i * size, d = dst.baseAddress! + k * size
            if augmenting, let aug = augmentation, let g = generator {
              let pad = aug.padding
              let dy = pad > 0 ? g.pointee.nextInt(below: 2 * pad + 1) - pad : 0
              let dx = pad > 0 ? g.pointee.nextInt(below: 2 * pad + 1) - pad : 0
              let flip = aug.horizontalFlip && g.pointee.nextInt(below: 2) == 1
              DataBatchKernel.affineShiftFlip(
                src: s, dst: d, channels: channels, height: sampleShape[1], width: sampleShape[2],
                dy: dy, dx: dx, flip: flip, a: a, b: b)
            } else {
              DataBatchKernel.affine(src: s, dst: d, channels: channels, plane: plane, a: a, b: b)
            }
          }
        }
      case .floats(let values):
        values.withUnsafeBufferPointer { src in
          for (k, i) in indices.enumerated() {
            DataBatchKernel.affine(
              src: src.baseAddress! + i * size, dst: dst.baseAddress! + k * size,
              channels: channels, plane: plane, a: a, b: b)
          }
        }
      }
    }
    return Batch(
      inputs: Tensor(shape: [indices.count] + sampleShape, storage: out),
      labels: indices.map { Int(labels[$0]) })
  }
}

/// Per-channel normalisation constants, in units of the scaled values (pixels in [0, 1]).
public struct Normalization: Sendable, Equatable, Codable {
  /// Subtracted per channel.
  public var mean: [Float]
  /// Divided by per channel (positive).
  public var std: [Float]

  /// Constants for each channel; `std` entries must be positive.
  public init(mean: [Float], std: [Float]) {
    self.mean = mean
    self.std = std
  }

  /// No change: mean 0, std 1.
  public static func identity(channels: Int) -> Normalization {
    Normalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
  }
}

/// Training augmentation for images: a random crop of the zero-padded image (`padding` pixels a
/// side, so shifts in −padding…padding), then a horizontal flip with probability ½.
public struct Augmentation: Sendable, Equatable {
  /// Padding on each side before the crop; 0 disables the crop.
  public var padding: Int
  /// Whether to flip left–right half of the time.
  public var horizontalFlip: Bool

  /// The usual CIFAR recipe is `Augmentation(padding: 4, horizontalFlip: true)`.
  public init(padding: Int, horizontalFlip: Bool) {
    self.padding = max(0, padding)
    self.horizontalFlip = horizontalFlip
  }
}
