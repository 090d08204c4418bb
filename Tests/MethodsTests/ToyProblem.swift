import Core
import Foundation

@testable import Methods

/// Multinomial logistic regression as a tiny Core model (one `Linear` layer), so methods are
/// tested through `Module` and the one `Trainer` loop.
func softmaxRegression(features: Int, classes: Int, seed: UInt64) throws -> ModuleLearner {
  var rng = RandomGenerator(seed: seed)
  let model = Sequential([try Linear(features, classes, rng: &rng)])
  // Small initial weights, N(0, 0.1²): weight [classes × features] then bias [classes].
  let n = classes * features + classes
  try model.setParameterVector(Tensor(shape: [n], storage: (0..<n).map { _ in 0.1 * rng.nextNormal() }))
  return ModuleLearner(model, classCount: classes)
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
  let initial: Learner
  let m0: Learner
  var artifacts = PreparedArtifacts()

  init(observers: [SGDTrainer.NamedObserver] = [], seed: UInt64 = 1) throws {
    train = Blobs(seed: seed)
    initial = try softmaxRegression(features: 4, classes: 3, seed: seed)
    m0 = initial.copy()
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
      try softmaxRegression(features: shape[0], classes: classes, seed: seed)
    }
    return c
  }
}
