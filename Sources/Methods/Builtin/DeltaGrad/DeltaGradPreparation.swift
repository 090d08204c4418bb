import Core
import Foundation

/// What DeltaGrad's `prepare` records, for its two scopes.
enum DeltaGradPreparation {
  /// The name artifacts are stored under.
  static let method = "deltagrad"

  /// Why a model cannot replay its own training exactly (dropout draws masks the cache does not
  /// keep; batch norm couples a batch's samples and updates running statistics), or nil.
  static func modelScopeProblem(_ module: Module) -> String? {
    if module.namedModules().contains(where: { $0.1 is Dropout }) {
      return "scope = model replays M0's training, which this model's dropout makes random; use scope = head"
    }
    if module.namedModules().contains(where: { $0.1 is BatchNorm2d }) {
      return "scope = model cannot replay batch norm's batch statistics; use scope = head"
    }
    return nil
  }

  /// Scope `model`: watches M0's training and caches its trajectory (every parameter).
  final class ModelTrajectory: TrainingObserver {
    let memoryLimitBytes: Int
    let directory: String?
    private var recorder: DeltaGradRecorder?
    private var previous: [Float] = []
    private var problem: String?

    init(memoryLimitBytes: Int, directory: String?) {
      self.memoryLimitBytes = memoryLimitBytes
      self.directory = directory
    }

    func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws {
      guard let module = learner.singleModule else {
        problem = "DeltaGrad replays one module; this learner is an ensemble"
        return
      }
      problem = modelScopeProblem(module)
      recorder = DeltaGradRecorder(
        parameterCount: learner.parameterCount, memoryLimitBytes: memoryLimitBytes, directory: directory)
      previous = learner.parameterVector()
    }

    func didStep(_ step: TrainingStep, learner: Learner, artifacts: inout PreparedArtifacts) throws {
      guard problem == nil, let recorder else { return }
      recorder.record(iterate: previous, gradient: step.gradient, batch: step.indices, learningRate: step.learningRate)
      previous = learner.parameterVector()
    }

    func trainingDidFinish(
      _ learner: Learner, source: BatchSource, indices: [Int]?, artifacts: inout PreparedArtifacts
    ) throws {
      if let problem {
        artifacts.notes[method] = ["scope": "model", "problem": problem]
        return
      }
      recorder?.finish(into: &artifacts, method: method, notes: ["scope": "model"])
    }
  }

  /// The head phase's settings (DeltaGrad's CIFAR-10 transfer-learning script).
  struct HeadPhase: Sendable, Equatable {
    var epochs: Int
    var batchSize: Int
    var learningRate: Double
    var weightDecay: Double

    /// The text that names this change of M0's training (part of its cache key).
    var change: String {
      "deltagrad head phase: epochs=\(epochs) batch=\(batchSize) lr=\(learningRate) wd=\(weightDecay)"
    }
  }

  /// Scope `head`: after M0's training, retrains the last Linear layer from its initial
  /// weights over the frozen features of the layers below (evaluation mode), with plain SGD,
  /// caching that trajectory and the features. This changes M0 (its head), so the method gets
  /// an M0 of its own.
  final class HeadTrajectory: TrainingObserver {
    let phase: HeadPhase
    let memoryLimitBytes: Int
    let directory: String?
    private var initialHead: [Float]?

    init(phase: HeadPhase, memoryLimitBytes: Int, directory: String?) {
      self.phase = phase
      self.memoryLimitBytes = memoryLimitBytes
      self.directory = directory
    }

    var trainingChange: String? { phase.change }

    func trainingWillStart(_ learner: Learner, artifacts: inout PreparedArtifacts) throws {
      guard let module = learner.singleModule, let (_, head) = module.linearHead else { return }
      initialHead = head.parameterVector().storage
    }

    func trainingDidFinish(
      _ learner: Learner, source: BatchSource, indices: [Int]?, artifacts: inout PreparedArtifacts
    ) throws {
      guard let module = learner.singleModule, let (name, head) = module.linearHead, let initialHead else {
        throw MethodError.failed(
          method: method, message: "scope = head needs one module with a Linear layer on top; this model has none")
      }
      let positions = indices ?? Array(0..<source.sampleCount)
      let features = try Self.features(module: module, head: name, source: source, positions: positions)
      let linear = head.clone()
      try linear.setParameterVector(Tensor(shape: [initialHead.count], storage: initialHead))
      let recorder = DeltaGradRecorder(
        parameterCount: initialHead.count, memoryLimitBytes: memoryLimitBytes, directory: directory)
      let sgd = try SGD(
        parameters: linear.parameters(), learningRate: Float(phase.learningRate), weightDecay: Float(phase.weightDecay))
      var rng = RandomGenerator(seed: 0xDE17A)
      let order = EpochOrder(pool: Array(0..<features.sampleCount), sourceCount: features.sampleCount)
      for _ in 0..<phase.epochs {
        for batch in try order.nextBatches(size: phase.batchSize, using: &rng) {
          let b = try features.batch(at: batch)
          linear.zeroGrad()
          let loss = try GradMode.withGrad { try Functional.crossEntropy(try linear(Variable(b.inputs)), targets: b.labels) }
          try loss.backward()
          recorder.record(
            iterate: linear.parameterVector().storage, gradient: linear.gradientVector().storage, batch: batch,
            learningRate: phase.learningRate)
          try sgd.step()
        }
      }
      linear.zeroGrad()
      try head.setParameterVector(linear.parameterVector())
      // Batch positions index the feature rows, which are `positions` of the source in order.
      recorder.finish(
        into: &artifacts, method: method,
        notes: [
          "scope": "head", "head": name, "feature_count": "\(features.sampleShape[0])",
          "features_mib": String(format: "%.2f", Double(features.sampleCount * features.sampleShape[0] * 4) / 1_048_576),
        ])
      artifacts.store(Self.flatFeatures(features), method: method, name: "features")
      artifacts.store(positions.map { Float($0) }, method: method, name: "feature.positions")
    }

    /// The head's inputs for every position (evaluation mode), as a dataset of feature vectors
    /// with the source's labels.
    static func features(module: Module, head: String, source: BatchSource, positions: [Int]) throws -> Dataset {
      var rows: [Float] = []
      var labels: [Int32] = []
      var width = 0
      for chunk in SubsetLoss.chunks(positions, Evaluation.learnerBatchSize) {
        let b = try source.batch(at: chunk)
        var input: Tensor?
        _ = try module.observingForward(of: [head], { _, x, _ in input = x.value }, during: { try module.logits(inputs: b.inputs) })
        guard let input, input.shape.first == chunk.count else {
          throw MethodError.failed(method: method, message: "the head's input could not be observed")
        }
        width = input.count / chunk.count
        rows.append(contentsOf: input.storage)
        labels.append(contentsOf: b.labels.map { Int32($0) })
      }
      return try Dataset(
        name: "deltagrad head features", sampleShape: [max(width, 1)], classCount: source.classCount, labels: labels,
        storage: .floats(rows), origin: "the frozen layers below the head")
    }

    static func flatFeatures(_ d: Dataset) -> [Float] {
      if case .floats(let f) = d.storage { return f }
      return []
    }
  }
}
