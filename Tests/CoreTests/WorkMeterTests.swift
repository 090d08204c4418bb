import XCTest

@testable import Core

/// The work meter counts what a model computes, exactly, wherever it is called from.
final class WorkMeterTests: XCTestCase {
  /// The MNIST CNN's multiply-adds per sample, by hand: conv1 26·26·32·(1·3·3), conv2
  /// 24·24·64·(32·3·3), fc1 9216·128, fc2 128·10.
  static let cnnMultiplyAdds: Double = {
    let conv1: Double = 26 * 26 * 32 * 9
    let conv2: Double = 24 * 24 * 64 * 32 * 9
    let fc1: Double = 9216 * 128
    let fc2: Double = 128 * 10
    return conv1 + conv2 + fc1 + fc2
  }()

  func testATrainingStepCountsThreePassesAndEvaluationOne() throws {
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 0)
    var rng = RandomGenerator(seed: 1)
    let inputs = Tensor(shape: [8, 1, 28, 28], storage: (0..<(8 * 784)).map { _ in rng.nextUniform() })
    let data = try Dataset(name: "noise", inputs: inputs, labels: (0..<8).map { $0 % 10 }, classCount: 10)
    var config = TrainingConfig()
    config.epochs = 1
    config.batchSize = 8
    config.progress = .silent
    let trainer = Trainer(
      model: model, optimizer: try SGD(parameters: model.parameters(), learningRate: 0.01), config: config)
    let (_, training) = try WorkMeter.measure { try trainer.fit(on: data) }
    XCTAssertEqual(training.gradientSamples, 8)
    XCTAssertEqual(training.forwardSamples, 0)
    XCTAssertEqual(training.multiplyAdds, 3 * 8 * Self.cnnMultiplyAdds)

    let (_, evaluation) = try WorkMeter.measure { try model.logits(inputs: inputs) }
    XCTAssertEqual(evaluation, Work(multiplyAdds: 8 * Self.cnnMultiplyAdds, gradientSamples: 0, forwardSamples: 8))
  }

  /// Nested measures both count; calls outside any measure count nowhere; a direct call of one
  /// layer counts that layer only.
  func testMeasuresNestAndPartsOfAModelCountAlone() throws {
    let model = try Models.make("cnn", inputShape: [1, 28, 28], classes: 10, seed: 0)
    let x = Variable(Tensor(shape: [2, 1, 28, 28], storage: [Float](repeating: 0.5, count: 2 * 784)))
    _ = try model(x)
    let (inner, outer) = try WorkMeter.measure { () -> Work in
      _ = try GradMode.withoutGrad { try model(x) }
      return try WorkMeter.measure { _ = try model(x) }.work
    }
    XCTAssertEqual(inner.multiplyAdds, 3 * 2 * Self.cnnMultiplyAdds)
    XCTAssertEqual(outer.multiplyAdds, 4 * 2 * Self.cnnMultiplyAdds)
    let fc2 = try XCTUnwrap(model.namedModules().first { $0.0 == "fc2" }?.1)
    let h = Variable(Tensor(shape: [5, 128], storage: [Float](repeating: 0, count: 640)))
    let (_, last) = try WorkMeter.measure { try GradMode.withoutGrad { try fc2(h) } }
    XCTAssertEqual(last.multiplyAdds, 5 * 128 * 10)
  }

  /// ResNet-18 (CIFAR stem) on a 32×32 image: the published 0.56 G multiply-adds.
  func testResNet18CountsItsPublishedMultiplyAdds() throws {
    let model = try Models.make("resnet18", inputShape: [3, 32, 32], classes: 10, seed: 0)
    let (_, w) = try WorkMeter.measure { try model.logits(inputs: Tensor(shape: [1, 3, 32, 32], storage: [Float](repeating: 0, count: 3072))) }
    XCTAssertEqual(w.multiplyAdds / 1e9, 0.556, accuracy: 0.006)
  }
}
