import Core
import Foundation

/// An SGD trajectory as DeltaGrad caches it: per step t the iterate w_t (parameters before the
/// step), the gradient g_t of the mean batch loss at w_t (weight decay not included), the
/// batch's sample positions and the learning rate.
///
/// Iterates and gradients stay in memory (and go into the prepared artifacts, cached with M0)
/// until they would exceed `memoryLimitBytes`; then they move to a file in `directory` — a
/// folder the user named (DeltaGrad's `cache_dir` option) — and the rest of the trajectory is
/// appended there. Without a folder, recording stops and the reason is kept: unlearning then
/// fails with it, and M0's training is not disturbed.
final class DeltaGradRecorder {
  let parameterCount: Int
  let memoryLimitBytes: Int
  let directory: String?
  private(set) var iterates: [Float] = []
  private(set) var gradients: [Float] = []
  private(set) var batchSizes: [Float] = []
  private(set) var batchIndices: [Float] = []
  private(set) var learningRates: [Float] = []
  private(set) var steps = 0
  private(set) var problem: String?
  private var file: FileHandle?
  private(set) var path: String?

  init(parameterCount: Int, memoryLimitBytes: Int, directory: String?) {
    self.parameterCount = parameterCount
    self.memoryLimitBytes = memoryLimitBytes
    self.directory = directory
  }

  /// Bytes the iterates and gradients take.
  var trajectoryBytes: Int { steps * parameterCount * 2 * MemoryLayout<Float>.size }

  /// Records step t.
  func record(iterate: [Float], gradient: [Float], batch: [Int], learningRate: Double) {
    guard problem == nil else { return }
    guard iterate.count == parameterCount, gradient.count == parameterCount else {
      problem = "a step of \(iterate.count) parameters for a trajectory of \(parameterCount)"
      return
    }
    guard batch.allSatisfy({ $0 < 1 << 24 }) else {
      problem = "sample positions beyond 2²⁴ cannot be cached"
      return
    }
    batchSizes.append(Float(batch.count))
    batchIndices.append(contentsOf: batch.map { Float($0) })
    learningRates.append(Float(learningRate))
    steps += 1
    if file == nil && trajectoryBytes > memoryLimitBytes { spill() }
    if let file {
      do {
        try file.write(contentsOf: Self.bytes(iterate) + Self.bytes(gradient))
      } catch {
        problem = "writing the trajectory to \(path ?? "?") failed: \(error)"
      }
    } else if problem == nil {
      iterates.append(contentsOf: iterate)
      gradients.append(contentsOf: gradient)
    }
  }

  /// Moves the trajectory so far to a new file in `directory`, or records why it cannot.
  private func spill() {
    let mib = trajectoryBytes / 1_048_576
    guard let directory, !directory.isEmpty else {
      problem =
        "the trajectory reached \(mib) MiB, above memory_limit_mib = \(memoryLimitBytes / 1_048_576); name a cache_dir to keep it on disk"
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let p = "\(directory)/deltagrad-\(UUID().uuidString).f32"
      guard FileManager.default.createFile(atPath: p, contents: nil),
        let handle = FileHandle(forWritingAtPath: p)
      else { throw CocoaLikeError("cannot create \(p)") }
      let p2 = parameterCount
      for t in 0..<(steps - 1) {
        try handle.write(
          contentsOf: Self.bytes(Array(iterates[(t * p2)..<((t + 1) * p2)]))
            + Self.bytes(Array(gradients[(t * p2)..<((t + 1) * p2)])))
      }
      iterates = []
      gradients = []
      file = handle
      path = p
    } catch {
      problem = "moving the trajectory to \(directory) failed: \(error)"
    }
  }

  /// Stores the trajectory (or where it is, or why it is missing) into `artifacts` under
  /// `method`, with `notes`.
  func finish(into artifacts: inout PreparedArtifacts, method: String, notes: [String: String]) {
    try? file?.close()
    file = nil
    var n = notes
    n["steps"] = "\(steps)"
    n["parameters"] = "\(parameterCount)"
    n["cache_mib"] = String(format: "%.2f", Double(trajectoryBytes) / 1_048_576)
    n["location"] = path ?? "memory"
    if let problem { n["problem"] = problem }
    artifacts.notes[method] = n
    artifacts.store(batchSizes, method: method, name: "batch.sizes")
    artifacts.store(batchIndices, method: method, name: "batch.indices")
    artifacts.store(learningRates, method: method, name: "lr")
    if path == nil && problem == nil {
      artifacts.store(iterates, method: method, name: "iterates")
      artifacts.store(gradients, method: method, name: "gradients")
    }
  }

  static func bytes(_ v: [Float]) -> Data { v.withUnsafeBytes { Data($0) } }

  struct CocoaLikeError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
  }
}

/// Reads back what `DeltaGradRecorder` stored, step by step.
struct DeltaGradTrajectory {
  let parameterCount: Int
  let batches: [[Int]]
  let learningRates: [Double]
  private let iterates: [Float]?
  private let gradients: [Float]?
  private let file: FileHandle?
  /// Where the iterates and gradients are: "memory" or a file path.
  let location: String

  var steps: Int { batches.count }

  /// The trajectory `method` stored in `artifacts`; throws with the recorder's problem, or when
  /// parts are missing or inconsistent.
  init(_ artifacts: PreparedArtifacts, method: String) throws {
    guard let notes = artifacts.notes[method] else {
      throw MethodError.failed(method: method, message: "M0 holds no cached trajectory (was M0 trained with \(method)'s prepare?)")
    }
    if let problem = notes["problem"] { throw MethodError.failed(method: method, message: problem) }
    guard let p = notes["parameters"].flatMap(Int.init), let sizes = artifacts.vector(method: method, name: "batch.sizes"),
      let flat = artifacts.vector(method: method, name: "batch.indices"),
      let lrs = artifacts.vector(method: method, name: "lr"), sizes.count == lrs.count
    else { throw MethodError.failed(method: method, message: "the cached trajectory is incomplete") }
    var batches: [[Int]] = []
    var start = 0
    for s in sizes {
      let end = start + Int(s)
      guard end <= flat.count else { throw MethodError.failed(method: method, message: "the cached batches are truncated") }
      batches.append(flat[start..<end].map { Int($0) })
      start = end
    }
    self.parameterCount = p
    self.batches = batches
    self.learningRates = lrs.map(Double.init)
    let location = notes["location"] ?? "memory"
    self.location = location
    if location == "memory" {
      guard let w = artifacts.vector(method: method, name: "iterates"),
        let g = artifacts.vector(method: method, name: "gradients"),
        w.count == p * batches.count, g.count == w.count
      else { throw MethodError.failed(method: method, message: "the cached iterates and gradients are incomplete") }
      iterates = w
      gradients = g
      file = nil
    } else {
      guard let handle = FileHandle(forReadingAtPath: location) else {
        throw MethodError.failed(method: method, message: "the cached trajectory file \(location) cannot be read")
      }
      iterates = nil
      gradients = nil
      file = handle
    }
  }

  /// (w_t, g_t).
  func step(_ t: Int) throws -> (iterate: [Float], gradient: [Float]) {
    let p = parameterCount
    if let iterates, let gradients {
      return (Array(iterates[(t * p)..<((t + 1) * p)]), Array(gradients[(t * p)..<((t + 1) * p)]))
    }
    guard let file else { throw MethodError.failed(method: "deltagrad", message: "no trajectory") }
    let record = 2 * p * MemoryLayout<Float>.size
    try file.seek(toOffset: UInt64(t * record))
    guard let data = try file.read(upToCount: record), data.count == record else {
      throw MethodError.failed(method: "deltagrad", message: "the cached trajectory file \(location) is truncated at step \(t)")
    }
    var values = [Float](repeating: 0, count: 2 * p)
    _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return (Array(values[0..<p]), Array(values[p...]))
  }

  /// The first iterate (the initial parameters of the replayed training).
  func initial() throws -> [Float] { try step(0).iterate }
}
