import Core

/// Small seeded grey-scale images for input-editing methods: `classes` classes of `perClass`
/// images of `side`×`side` pixels (stored as bytes, values in [0, 1]), each a faint class pattern
/// (±`contrast` around mid-grey) plus uniform pixel noise, normalised with the set's own mean and
/// std. The last `mislabelled` images get a wrong label (the next class), so a model can only
/// fit them by memorising them.
public func toyImages(
  classes: Int = 4, perClass: Int = 60, side: Int = 8, contrast: Float = 0.06, noise: Float = 0.06,
  mislabelled: Int = 0, seed: UInt64
) throws -> Dataset {
  var rng = RandomGenerator(seed: seed)
  let size = side * side
  let patterns = (0..<classes).map { _ in (0..<size).map { _ in rng.nextUniform() < 0.5 ? -contrast : contrast } }
  var bytes: [UInt8] = []
  var labels: [Int32] = []
  let count = classes * perClass
  for i in 0..<count {
    let c = i % classes
    for j in 0..<size {
      let v = 0.5 + patterns[c][j] + noise * (2 * rng.nextUniform() - 1)
      bytes.append(UInt8(max(0, min(255, (v * 255).rounded()))))
    }
    labels.append(Int32(i >= count - mislabelled ? (c + 1) % classes : c))
  }
  let data = try Dataset(
    name: "toy-images", sampleShape: [1, side, side], classCount: classes, labels: labels,
    storage: .bytes(bytes, scale: 1 / 255), isSynthetic: true, origin: "toyImages(seed: \(seed))")
  return try data.normalized(data.channelStatistics())
}
