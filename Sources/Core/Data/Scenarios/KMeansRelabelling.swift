import LetheKernels

/// Relabels a feature dataset by k-means with K clusters, as SISA prepares Purchase for its
/// label-count experiments. Seeded and deterministic: k-means++ seeding drawn from `seed`, then
/// Lloyd iterations until no label changes (or `maxIterations`); an emptied cluster takes the point
/// farthest from its centre. The result records the labels and a digest of them.
public struct KMeansRelabelling: Sendable {
  /// The new label (cluster) of every sample.
  public let labels: [Int]
  /// Number of clusters K.
  public let clusterCount: Int
  /// Lloyd iterations run.
  public let iterations: Int
  /// Hex SHA-256 of K, the seed and the labels.
  public let digest: String

  /// Clusters the samples of `dataset` (its raw, unnormalised values).
  public init(dataset: Dataset, clusters: Int, seed: UInt64, maxIterations: Int = 50) throws {
    let n = dataset.sampleCount, d = dataset.sampleSize
    guard clusters >= 2, clusters <= n else {
      throw DataError.invalidArgument(
        name: "k-means clusters for \(dataset.name)", problem: "K=\(clusters) must be in 2...\(n)")
    }
    let x = dataset.rawFloats()
    var generator = RandomGenerator(seed: seed)
    var centers = [Float](repeating: 0, count: clusters * d)
    // k-means++ seeding.
    var minDistance = [Float](repeating: .infinity, count: n)
    var chosen = generator.nextInt(below: n)
    x.withUnsafeBufferPointer { xp in
      centers.withUnsafeMutableBufferPointer { cp in
        for c in 0..<clusters {
          (cp.baseAddress! + c * d).update(from: xp.baseAddress! + chosen * d, count: d)
          if c == clusters - 1 { break }
          DataKMeansKernel.updateMinDistance(x: xp.baseAddress!, m: n, d: d, center: cp.baseAddress! + c * d,
                                             minDistance: &minDistance)
          let total = minDistance.reduce(0.0) { $0 + Double($1) }
          if total <= 0 {
            chosen = generator.nextInt(below: n)
            continue
          }
          var target = Double(generator.nextUniform()) * total
          chosen = n - 1
          for i in 0..<n {
            target -= Double(minDistance[i])
            if target < 0 { chosen = i; break }
          }
        }
      }
    }
    var labels = [Int32](repeating: -1, count: n)
    var distances = [Float](repeating: 0, count: n)
    var iterations = 0
    let block = 2048
    var scratch = [Float](repeating: 0, count: block * clusters)
    while iterations < maxIterations {
      iterations += 1
      let norms = (0..<clusters).map { c in (0..<d).reduce(Float(0)) { $0 + centers[c * d + $1] * centers[c * d + $1] } }
      var newLabels = [Int32](repeating: 0, count: n)
      x.withUnsafeBufferPointer { xp in
        centers.withUnsafeBufferPointer { cp in
          for start in stride(from: 0, to: n, by: block) {
            let m = min(block, n - start)
            newLabels.withUnsafeMutableBufferPointer { lp in
              distances.withUnsafeMutableBufferPointer { dp in
                DataKMeansKernel.nearest(x: xp.baseAddress! + start * d, m: m, d: d, centers: cp.baseAddress!,
                                         k: clusters, centerNorms: norms, scratch: &scratch,
                                         labels: lp.baseAddress! + start, distances: dp.baseAddress! + start)
              }
            }
          }
        }
      }
      let changed = newLabels != labels
      labels = newLabels
      if !changed { break }
      var sums = [Double](repeating: 0, count: clusters * d)
      var counts = [Int](repeating: 0, count: clusters)
      x.withUnsafeBufferPointer { xp in
        DataKMeansKernel.accumulate(x: xp.baseAddress!, m: n, d: d, labels: labels, sums: &sums, counts: &counts)
      }
      var taken = Set<Int>()
      for c in 0..<clusters {
        if counts[c] == 0 {
          // Move an empty centre onto the worst-fitted point not yet used this way.
          var worst = -1
          for i in 0..<n where !taken.contains(i) && (worst < 0 || distances[i] > distances[worst]) { worst = i }
          taken.insert(worst)
          for j in 0..<d { centers[c * d + j] = x[worst * d + j] }
        } else {
          for j in 0..<d { centers[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
        }
      }
    }
    self.labels = labels.map(Int.init)
    self.clusterCount = clusters
    self.iterations = iterations
    var h = SHA256()
    h.update("lethe-kmeans-v1|\(clusters)|\(seed)|")
    h.update(self.labels)
    self.digest = h.finalizeHex()
  }

  /// `dataset` with these labels (storage shared).
  public func relabel(_ dataset: Dataset) throws -> RelabelledSource {
    try RelabelledSource(base: dataset, labels: labels, classCount: clusterCount)
  }
}

extension Dataset {
  /// Every sample's unnormalised values as Floats (stored value · scale), row by row.
  public func rawFloats() -> [Float] {
    switch storage {
    case .floats(let f): return f
    case .bytes(let b, let scale):
      var out = [Float](repeating: 0, count: b.count)
      b.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { t in
          DataKMeansKernel.widen(src: s.baseAddress!, dst: t.baseAddress!, count: b.count, scale: scale)
        }
      }
      return out
    }
  }
}
