import Core
import Methods

extension ExperimentCatalog {
  /// Options a schedule may give a dataset.
  public static let datasetOptions = [
    OptionSpec("normalize", .bool, default: .bool(true), doc: "per-channel normalisation of image sets"),
    OptionSpec("image_size", .integer, default: .number(64), doc: "side length for imagenet-subset images"),
    OptionSpec("classes", .integer, default: .number(100), doc: "purchase-synthetic: class count"),
    OptionSpec("train_count", .integer, default: .number(20_000), doc: "purchase-synthetic: training samples"),
    OptionSpec("test_count", .integer, default: .number(5_000), doc: "purchase-synthetic: test samples"),
  ]

  /// Options a schedule may give a model (each model reads the ones that concern it).
  public static let modelOptions = [
    OptionSpec("dropout1", .number, default: .number(0.25), doc: "cnn: dropout after the max-pool"),
    OptionSpec("dropout2", .number, default: .number(0.5), doc: "cnn: dropout after fc1"),
    OptionSpec("hidden", .integer, default: .number(128), doc: "cnn: fc1 width; mlp: hidden width"),
    OptionSpec("activation", .string, default: .string("tanh"), doc: "mlp: relu or tanh"),
    OptionSpec("stem", .string, default: .string("cifar"), doc: "resnet18: cifar or imagenet"),
  ]

  /// The datasets of `datasets` (found on its search path) and the models of `Models`.
  public static func standard(datasets: DatasetCatalog = DatasetCatalog()) -> ExperimentCatalog {
    var c = ExperimentCatalog()
    for entry in DatasetCatalog.entries {
      let name = entry.name
      c.datasets[name] = { spec in
        let o = try MethodOptions.resolve(spec.options, specs: datasetOptions, owner: "dataset '\(name)'")
        var load = LoadOptions()
        load.normalize = try o.bool("normalize")
        load.imageSize = try o.integer("image_size")
        load.syntheticClasses = try o.integer("classes")
        load.syntheticTrainCount = try o.integer("train_count")
        load.syntheticTestCount = try o.integer("test_count")
        let splits = try datasets.load(name, options: load)
        return Splits(
          name: name, train: splits.train, test: splits.test, normalization: splits.train.normalization)
      }
    }
    for name in Models.names {
      c.models[name] = { spec, shape, classes, seed in
        let o = try MethodOptions.resolve(spec.options, specs: modelOptions, owner: "model '\(name)'")
        var m = Models.Options()
        m.cnnDropout1 = Float(try o.number("dropout1"))
        m.cnnDropout2 = Float(try o.number("dropout2"))
        m.cnnHidden = try o.integer("hidden")
        m.mlpHidden = [try o.integer("hidden")]
        let activation = try o.string("activation")
        guard let a = Models.Activation(rawValue: activation) else {
          throw ExperimentError.unknownName(
            kind: "activation", name: activation, valid: Models.Activation.allCases.map(\.rawValue))
        }
        m.mlpActivation = a
        let stem = try o.string("stem")
        guard let s = ResNet.Stem(rawValue: stem) else {
          throw ExperimentError.unknownName(kind: "stem", name: stem, valid: ResNet.Stem.allCases.map(\.rawValue))
        }
        m.resnetStem = s
        let module = try Models.make(name, inputShape: shape, classes: classes, seed: seed, options: m)
        return ModuleLearner(module, classCount: classes)
      }
    }
    return c
  }
}
