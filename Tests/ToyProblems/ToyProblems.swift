import Core
import Foundation
import Methods

/// Multinomial logistic regression as a tiny Core model (one `Linear` layer), so methods are
/// tested through `Module` and the one `Trainer` loop.
public func softmaxRegression(features: Int, classes: Int, seed: UInt64) throws -> ModuleLearner {
  var rng = RandomGenerator(seed: seed)
  let model = Sequential([try Linear(features, classes, rng: &rng)])
  // Small initial weights, N(0, 0.1²): weight [classes × features] then bias [classes].
  let n = classes * features + classes
  try model.setParameterVector(Tensor(shape: [n], storage: (0..<n).map { _ in 0.1 * rng.nextNormal() }))
  return ModuleLearner(model, classCount: classes)
}

/// Gaussian blobs: `perClass` samples of each of `classes` classes around well-separated centres,
/// plus a fraction of points whose label disagrees with their blob (so a model must memorise them).
public struct Blobs: LabeledSource {
  public let inputs: [[Float]]
  public let labels: [Int]
  public let classCount: Int
  public var sampleCount: Int { labels.count }
  public var sampleShape: [Int] { [inputs.first?.count ?? 0] }

  public init(classes: Int = 3, perClass: Int = 40, features: Int = 4, spread: Float = 1.0, seed: UInt64) {
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

  public func label(at index: Int) -> Int { labels[index] }

  public func batch(at indices: [Int]) throws -> Batch {
    Batch(
      inputs: Tensor(shape: [indices.count, sampleShape[0]], storage: indices.flatMap { inputs[$0] }),
      labels: indices.map { labels[$0] })
  }
}

/// Wraps a source and remembers every index a batch asked for.
public final class RecordingSource: LabeledSource, @unchecked Sendable {
  // @unchecked: used from one test thread only.
  let base: any LabeledSource
  public var requested = Set<Int>()
  public init(_ base: any LabeledSource) { self.base = base }
  public var sampleCount: Int { base.sampleCount }
  public var sampleShape: [Int] { base.sampleShape }
  public var classCount: Int { base.classCount }
  public func label(at index: Int) -> Int { base.label(at: index) }
  public func batch(at indices: [Int]) throws -> Batch {
    requested.formUnion(indices)
    return try base.batch(at: indices)
  }
}

/// M0 trained on blobs, with what a method needs to unlearn.
public struct ToySetup {
  public let train: Blobs
  public let recipe = TrainingRecipe(epochs: 5, batchSize: 16, learningRate: 0.1, momentum: 0.9, weightDecay: 0, seed: 3)
  public let initial: Learner
  public let m0: Learner
  public var artifacts = PreparedArtifacts()

  public init(observers: [TrainingRequest.NamedObserver] = [], seed: UInt64 = 1) throws {
    train = Blobs(seed: seed)
    initial = try softmaxRegression(features: 4, classes: 3, seed: seed)
    m0 = initial.copy()
    var request = TrainingRequest(source: train, recipe: recipe)
    request.observers = observers
    artifacts = try LearnerTrainer.train(m0, request).artifacts
  }

  public func context(_ method: UnlearningMethod, forget: [Int], options: [String: OptionValue] = [:],
    source: (any LabeledSource)? = nil) throws -> UnlearningContext
  {
    let resolved = try MethodOptions.resolve(options, specs: method.descriptor.options, owner: "test")
    return UnlearningContext(
      model: m0.copy(), request: try ForgetRequest(train: source ?? train, forget: forget), options: resolved,
      recipe: recipe, initialState: initial.stateVector(), artifacts: artifacts, seed: 11)
  }
}

/// A method whose `prepare` records M0's parameters after every epoch and whose `unlearn`
/// rewinds to the last checkpoint taken before the forget set mattered — here, a chosen epoch —
/// and continues training from there on the retained data.
public final class CheckpointRewindMethod: UnlearningMethod {
  public let descriptor = MethodDescriptor(
    name: "checkpoint_rewind", summary: "rewind to a stored epoch checkpoint, then train on the retained data",
    options: [
      OptionSpec("epoch", .integer, default: .number(1), doc: "checkpoint to rewind to"),
      OptionSpec("epochs", .integer, default: .number(0), doc: "epochs of retraining after the rewind"),
    ])

  public init() {}

  final class Recorder: TrainingObserver {
    func didFinishEpoch(_ epoch: Int, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      artifacts.store(learner.stateVector(), method: "checkpoint_rewind", name: "epoch.\(epoch)")
    }
  }

  public func prepare(options: MethodOptions) throws -> TrainingObserver? { Recorder() }

  public func unlearn(_ context: UnlearningContext) throws -> UnlearningResult {
    let epoch = try context.options.integer("epoch")
    guard let state = context.artifacts.vector(method: "checkpoint_rewind", name: "epoch.\(epoch)") else {
      throw MethodError.failed(method: "checkpoint_rewind", message: "no checkpoint for epoch \(epoch)")
    }
    try context.model.loadStateVector(state)
    var recipe = context.recipe
    recipe.epochs = try context.options.integer("epochs")
    try LearnerTrainer.train(
      context.model,
      TrainingRequest(source: context.request.train, indices: context.request.retained, recipe: recipe))
    return UnlearningResult(model: context.model, notes: ["rewound_to_epoch": "\(epoch)"])
  }
}
