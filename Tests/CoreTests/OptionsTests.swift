import XCTest

@testable import Core

/// The option vocabulary (specs, values, resolution) and every Core configuration built on it:
/// unknown names list the valid ones in order, wrong kinds and bad values name the option,
/// defaults are the configuration's own field values.
final class OptionsTests: XCTestCase {
  let specs = [
    OptionSpec("epochs", .integer, default: .number(2), doc: "passes"),
    OptionSpec("lr", .number, doc: "learning rate", required: true),
    OptionSpec("name", .string, doc: "optional, no default"),
    OptionSpec("shape", .integers, default: .list([.number(1), .number(2)]), doc: "a list"),
  ]

  func testResolutionFillsDefaultsAndChecksNamesKindsAndRequiredOptions() throws {
    let o = try ResolvedOptions.resolve(["lr": .number(0.5)], specs: specs, owner: "toy")
    XCTAssertEqual(try o.integer("epochs"), 2)
    XCTAssertEqual(try o.number("lr"), 0.5)
    XCTAssertNil(o.values["name"])
    XCTAssertEqual(try o.integers("shape"), [1, 2])
    XCTAssertThrowsError(try ResolvedOptions.resolve(["lr": .number(1), "epoch": .number(3)], specs: specs, owner: "toy")) {
      XCTAssertEqual($0 as? OptionError, .unknown(owner: "toy", option: "epoch", valid: ["epochs", "lr", "name", "shape"]))
      XCTAssertEqual("\($0)", "toy: unknown option 'epoch'; valid options: epochs, lr, name, shape")
    }
    XCTAssertThrowsError(try ResolvedOptions.resolve(["lr": .number(1), "epochs": .number(1.5)], specs: specs, owner: "toy")) {
      XCTAssertEqual("\($0)", "toy: option 'epochs' expects an integer, got 1.5")
    }
    XCTAssertThrowsError(try ResolvedOptions.resolve(["lr": .string("fast")], specs: specs, owner: "toy")) {
      XCTAssertEqual("\($0)", "toy: option 'lr' expects a number, got fast")
    }
    XCTAssertThrowsError(try ResolvedOptions.resolve([:], specs: specs, owner: "toy")) {
      XCTAssertEqual($0 as? OptionError, .missing(owner: "toy", option: "lr"))
    }
    XCTAssertEqual(specs.map(\.defaultDescription), ["2", "required", "none", "{1, 2}"])
  }

  func testValuesRoundTripThroughJSONAsBareValues() throws {
    let values: [OptionValue] = [.number(3), .number(0.25), .string("sgd"), .bool(true), .list([.number(1), .number(28)])]
    let data = try JSONEncoder().encode(values)
    XCTAssertEqual(String(decoding: data, as: UTF8.self), #"[3,0.25,"sgd",true,[1,28]]"#)
    XCTAssertEqual(try JSONDecoder().decode([OptionValue].self, from: data), values)
    XCTAssertEqual(OptionValue.number(4).integerList, [4])
    XCTAssertNil(OptionValue.list([.number(1.5)]).integerList)
    XCTAssertNil(OptionValue.number(1e300).wholeNumber)
  }

  func testFieldConversionsRejectValuesThatDoNotFit() throws {
    XCTAssertEqual(try Int(option: .number(3)), 3)
    XCTAssertThrowsError(try Int(option: .number(3.5)))
    XCTAssertThrowsError(try UInt64(option: .number(-1)))
    XCTAssertThrowsError(try Double(option: .number(.infinity)))
    XCTAssertEqual(Float(0.9).optionValue, .number(0.9), "the shortest decimal, not 0.8999999761581421")
    XCTAssertEqual(try ProgressStyle(option: .string("auto")), .automatic)
    XCTAssertThrowsError(try ProgressStyle(option: .string("loud"))) {
      XCTAssertEqual(($0 as? OptionValueError)?.message, "must be one of 'auto', 'lines', 'silent', got 'loud'")
    }
  }

  /// Each Core configuration: defaults equal its fields, an unknown name lists its options in
  /// order, and a given value lands in its field.
  func testCoreConfigurationsDeclareTheirOptionsOnce() throws {
    func check<C: OptionConfigurable>(_: C.Type, _ names: [String], file: StaticString = #filePath, line: UInt = #line) {
      XCTAssertEqual(C.optionSpecs().map(\.name), names, file: file, line: line)
      XCTAssertThrowsError(try C(options: ["bogus": .number(1)]), file: file, line: line) {
        XCTAssertEqual($0 as? OptionError, .unknown(owner: C.optionOwner, option: "bogus", valid: names), file: file, line: line)
      }
    }
    check(
      TrainingConfig.self,
      ["epochs", "batch_size", "seed", "shuffle", "drop_last", "time_budget", "clip_grad_norm", "progress", "schedule_unit"])
    check(LoadOptions.self, ["normalize", "cache", "image_size", "test_fraction", "classes", "train_count", "test_count", "seed"])
    check(Models.Options.self, ["dropout1", "dropout2", "hidden", "activation", "stem"])
    check(SGD.Options.self, ["lr", "momentum", "dampening", "weight_decay", "nesterov"])
    check(Adam.Options.self, ["lr", "beta1", "beta2", "eps", "weight_decay"])
    check(MembershipInference.Options.self, ["feature", "classifier", "folds", "seed"])
    check(LRScheduleOptions.self, ["kind", "every", "gamma", "period", "min", "steps", "after"])
    check(ScenarioOptions.self, ["kind", "seed", "name", "fraction", "labels", "count", "keep"])

    let training = TrainingConfig.optionSpecs()
    XCTAssertEqual(training.first { $0.name == "epochs" }?.defaultValue, .number(Double(TrainingConfig().epochs)))
    XCTAssertEqual(training.first { $0.name == "progress" }?.defaultValue, .string("auto"))
    XCTAssertNil(training.first { $0.name == "time_budget" }?.defaultValue)
    XCTAssertEqual(training.first { $0.name == "progress" }?.choices, ["auto", "lines", "silent"])
    XCTAssertThrowsError(try ResolvedOptions.resolve(["progress": .string("loud")], specs: training, owner: "training")) {
      XCTAssertEqual("\($0)", "training: option 'progress' must be one of 'auto', 'lines', 'silent', got 'loud'")
    }
    var config = try TrainingConfig(options: ["epochs": .number(3), "time_budget": .number(9), "progress": .string("silent")])
    XCTAssertEqual(config.epochs, 3)
    XCTAssertEqual(config.timeBudget, 9)
    XCTAssertEqual(config.progress, .silent)
    XCTAssertThrowsError(try TrainingConfig(options: ["schedule_unit": .string("year")])) {
      XCTAssertEqual("\($0)", "training: option 'schedule_unit' must be one of 'epoch', 'step', got 'year'")
    }
    var base = TrainingConfig()
    base.seed = 42
    config = try TrainingConfig(options: [:], base: base)
    XCTAssertEqual(config.seed, 42, "absent options keep the base's values")
    XCTAssertEqual(TrainingConfig.optionSpecs(base: base).first { $0.name == "seed" }?.defaultValue, .number(42))
  }

  func testConfigurationsBuildTheirObjects() throws {
    let models = try Models.Options(options: ["hidden": .list([.number(16), .number(8)]), "activation": .string("relu")])
    XCTAssertEqual(models.mlpHidden, [16, 8])
    XCTAssertEqual(models.cnnHidden, 16, "cnn's fc1 width is the first hidden width")
    XCTAssertEqual(models.mlpActivation, .relu)
    XCTAssertEqual(try Models.Options(options: ["hidden": .number(32)]).mlpHidden, [32])
    XCTAssertEqual(Models.Options.optionSpecs().first { $0.name == "hidden" }?.defaultValue, .list([.number(128)]))

    XCTAssertThrowsError(try SGD.Options(options: ["momentum": .number(0.9)])) {
      XCTAssertEqual($0 as? OptionError, .missing(owner: "sgd", option: "lr"))
    }
    let p = Variable(Tensor(repeating: 1, shape: [2]), requiresGrad: true)
    let sgd = try SGD(parameters: [p], options: try SGD.Options(options: ["lr": .number(0.5), "momentum": .number(0.9)]))
    XCTAssertEqual(sgd.learningRate, 0.5)
    XCTAssertEqual(sgd.momentum, 0.9)
    let adamW = try Adam(parameters: [p], options: .adamW)
    XCTAssertTrue(adamW.decoupled)
    XCTAssertEqual(adamW.weightDecay, 0.01)
    XCTAssertEqual(Adam.Options.optionSpecs(base: .adamW).last?.defaultValue, .number(0.01))

    var warmup = try LRScheduleOptions(
      options: ["kind": .string("warmup"), "steps": .number(2)], options: LRScheduleOptions.options(for: .warmup))
    warmup.after = .step(every: 1, gamma: 0.5)
    XCTAssertEqual(try warmup.schedule(), .warmup(steps: 2, then: .step(every: 1, gamma: 0.5)))
    XCTAssertThrowsError(
      try LRScheduleOptions(options: ["kind": .string("cosine"), "gamma": .number(1)], options: LRScheduleOptions.options(for: .cosine)))
    XCTAssertThrowsError(try LRScheduleOptions(options: ["kind": .string("step"), "every": .number(0)]).schedule())

    XCTAssertThrowsError(try ScenarioOptions(options: ["kind": .string("label")], options: ScenarioOptions.options(for: .label))) {
      XCTAssertEqual($0 as? OptionError, .missing(owner: "scenario", option: "labels"))
    }
    let mia = try MembershipInference.Options(options: ["feature": .string("confidence"), "seed": .number(3)])
    XCTAssertEqual(mia.feature, .confidence)
    XCTAssertEqual(mia.seed, 3)
    XCTAssertEqual(try LoadOptions(options: ["cache": .bool(false)]).useCache, false)
  }
}
