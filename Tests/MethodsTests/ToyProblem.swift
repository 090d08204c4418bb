import Core
import Foundation

@testable import Methods

/// Multinomial logistic regression with an analytic gradient: a tiny, exact `Learner` for
/// testing methods without the neural-network stack.
final class SoftmaxRegression: Learner {
  let features: Int
  let classCount: Int
  var weights: [Float]  // [classCount × features] then [classCount] biases

  init(features: Int, classes: Int, seed: UInt64) {
    self.features = features
    self.classCount = classes
    var rng = RandomGenerator(seed: seed)
    weights = (0..<(classes * features + classes)).map { _ in 0.1 * rng.nextNormal() }
  }

  private init(copying other: SoftmaxRegression) {
    features = other.features
    classCount = other.classCount
    weights = other.weights
  }

  var parameterCount: Int { weights.count }
  func parameterVector() -> [Float] { weights }
  func loadParameterVector(_ v: [Float]) throws {
    guard v.count == weights.count else { throw MethodError.failed(method: "toy", message: "length") }
    weights = v
  }
  func stateVector() -> [Float] { weights }
  func loadStateVector(_ v: [Float]) throws { try loadParameterVector(v) }
  func copy() -> Learner { SoftmaxRegression(copying: self) }

  func logits(inputs: Tensor) throws -> Tensor {
    let n = inputs.shape[0]
    var out = [Float](repeating: 0, count: n * classCount)
    for i in 0..<n {
      for k in 0..<classCount {
        var z = weights[classCount * features + k]
        for j in 0..<features { z += weights[k * features + j] * inputs.storage[i * features + j] }
        out[i * classCount + k] = z
      }
    }
    return Tensor(shape: [n, classCount], storage: out)
  }

  func lossAndGradient(inputs: Tensor, targets: Targets, stepSeed: UInt64) throws
    -> (loss: Double, gradient: [Float])
  {
    let n = inputs.shape[0]
    let probs = try OutputMatrix(logits(inputs: inputs)).softmaxRows()
    var grad = [Float](repeating: 0, count: weights.count)
    var loss = 0.0
    for i in 0..<n {
      var target = [Double](repeating: 0, count: classCount)
      switch targets {
      case .labels(let l): target[l[i]] = 1
      case .distributions(let t): for k in 0..<classCount { target[k] = Double(t.storage[i * classCount + k]) }
      }
      for k in 0..<classCount {
        loss -= target[k] * log(max(probs[i][k], 1e-30))
        let d = Float((probs[i][k] - target[k]) / Double(n))
        for j in 0..<features { grad[k * features + j] += d * inputs.storage[i * features + j] }
        grad[classCount * features + k] += d
      }
    }
    return (loss / Double(n), grad)
  }
}

/// Gaussian blobs: `perClass` samples of each of `classes` classes around well-separated centres,
/// plus a fraction of points whose label disagrees with their blob (so a model must memorise them).
struct Blobs: LabeledSource {
  let inputs: [[Float]]
  let labels: [Int]
  let classCount: Int
  var sampleCount: Int { labels.count }
  var sampleShape: [Int] { [inputs.first?.count ?? 0] }

  init(classes: Int = 3, perClass: Int = 40, features: Int = 4, spread: Float = 1.0, seed: UInt64) {
    var rng = RandomGenerator(seed: seed)
    var xs: [[Float]] = []
    var ys: [Int] = []
    for c in 0..<classes {
      for _ in 0..<perClass {
        xs.append((0..<features).map { j in (j % classes == c ? 3 : 0) + spread * rng.nextNormal() })
        ys.append(c)
      }
    }
    inputs = xs
    labels = ys
    classCount = classes
  }

  func label(at index: Int) -> Int { labels[index] }

  func batch(at indices: [Int]) throws -> Batch {
    Batch(
      inputs: Tensor(shape: [indices.count, sampleShape[0]], storage: indices.flatMap { inputs[$0] }),
      labels: indices.map { labels[$0] })
  }
}

/// Wraps a source and remembers every index a batch asked for.
final class RecordingSource: BatchSource, @unchecked Sendable {
  // @unchecked: used from one test thread only.
  let base: BatchSource
  var requested = Set<Int>()
  init(_ base: BatchSource) { self.base = base }
  var sampleCount: Int { base.sampleCount }
  var sampleShape: [Int] { base.sampleShape }
  var classCount: Int { base.classCount }
  func batch(at indices: [Int]) throws -> Batch {
    requested.formUnion(indices)
    return try base.batch(at: indices)
  }
}

/// M0 trained on blobs, with what a method needs to unlearn.
struct ToySetup {
  let train: Blobs
  let recipe = TrainingRecipe(epochs: 5, batchSize: 16, learningRate: 0.1, momentum: 0.9, weightDecay: 0, seed: 3)
  let initial: SoftmaxRegression
  let m0: SoftmaxRegression
  var artifacts = PreparedArtifacts()

  init(observers: [SGDTrainer.NamedObserver] = [], seed: UInt64 = 1) throws {
    train = Blobs(seed: seed)
    initial = SoftmaxRegression(features: 4, classes: 3, seed: seed)
    m0 = initial.copy() as! SoftmaxRegression
    try SGDTrainer.train(m0, source: train, recipe: recipe, observers: observers, artifacts: &artifacts)
  }

  func context(_ method: UnlearningMethod, forget: [Int], options: [String: OptionValue] = [:],
    source: BatchSource? = nil) throws -> UnlearningContext
  {
    let resolved = try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test")
    return UnlearningContext(
      model: m0.copy(), request: try ForgetRequest(train: source ?? train, forget: forget), options: resolved,
      recipe: recipe, initialState: initial.stateVector(), artifacts: artifacts, seed: 11)
  }
}

extension Fixtures {
  /// A catalog with the blobs dataset and the softmax-regression model.
  static func toyCatalog() -> ExperimentCatalog {
    var c = ExperimentCatalog()
    c.datasets["blobs"] = { _ in
      ExperimentCatalog.Splits(name: "blobs", train: Blobs(perClass: 40, seed: 1), test: Blobs(perClass: 20, seed: 2))
    }
    c.models["softmax"] = { _, shape, classes, seed in
      SoftmaxRegression(features: shape[0], classes: classes, seed: seed)
    }
    return c
  }
}
