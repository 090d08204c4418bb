/// The options a table may give a dataset load (`lethe.data.load`), each defaulting to the value
/// `LoadOptions()` holds.
extension LoadOptions: OptionConfigurable {
  /// "data.load".
  public static let optionOwner = "data.load"

  /// normalize, cache, image_size, test_fraction, classes, train_count, test_count, seed.
  public static let options: [Option<LoadOptions>] = [
    .field("normalize", \.normalize, doc: "per-channel normalisation of image sets"),
    .field("cache", \.useCache, doc: "use (and fill) the decoded-data cache"),
    .field("image_size", \.imageSize, doc: "side length for imagenet-subset images"),
    .field("test_fraction", \.purchaseTestFraction, doc: "purchase: test share when it comes as one file"),
    .field("classes", \.syntheticClasses, doc: "purchase-synthetic: class count"),
    .field("train_count", \.syntheticTrainCount, doc: "purchase-synthetic: training samples"),
    .field("test_count", \.syntheticTestCount, doc: "purchase-synthetic: test samples"),
    .field("seed", \.seed, doc: "purchase-synthetic: generator seed"),
  ]
}
