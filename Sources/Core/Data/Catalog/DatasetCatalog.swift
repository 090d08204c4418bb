import Foundation

/// The named datasets Lethe knows, where it looks for them, and how it loads them.
///
/// Search path, in order: every folder of `$LETHE_DATA` (colon-separated), the project's `data/`,
/// `$LETHE_SHARED` or the project's `../shared/datasets`, then `/usr/share/datasets`. The project
/// root is the nearest folder holding `Package.swift` above the current directory, above the
/// executable, or above this source file (development builds).
public struct DatasetCatalog: Sendable {
  /// Folders searched, in order.
  public let searchPath: [String]
  /// Where decoded datasets are cached.
  public let cache: DataCache
  /// The environment (for `$LETHE_IMAGENET_SUBSET`).
  let environment: [String: String]

  /// A catalogue for `environment`; `projectRoots` defaults to the roots found as described above.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    projectRoots: [String]? = nil, cache: DataCache? = nil
  ) {
    var path: [String] = []
    if let data = environment["LETHE_DATA"] {
      path += data.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }
    let roots = projectRoots ?? DatasetCatalog.projectRoots()
    path += roots.map { $0 + "/data" }
    if let shared = environment["LETHE_SHARED"], !shared.isEmpty {
      path.append(shared)
    }
    path += roots.map {
      (($0 as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent("shared/datasets")
    }
    path.append("/usr/share/datasets")
    var seen = Set<String>()
    searchPath = path.map { ($0 as NSString).standardizingPath }.filter { seen.insert($0).inserted }
    self.cache = cache ?? DataCache(environment: environment)
    self.environment = environment
  }

  /// Folders holding `Package.swift` found above the working directory, the executable and this file.
  public static func projectRoots() -> [String] {
    var starts = [FileManager.default.currentDirectoryPath]
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append((exe as NSString).deletingLastPathComponent)
    } else if let first = CommandLine.arguments.first {
      starts.append(((first as NSString).standardizingPath as NSString).deletingLastPathComponent)
    }
    starts.append((#filePath as NSString).deletingLastPathComponent)
    var roots: [String] = []
    for start in starts {
      var dir = (start as NSString).standardizingPath
      while dir != "/" && !dir.isEmpty {
        if FileBytes.isFile(dir + "/Package.swift") {
          if !roots.contains(dir) { roots.append(dir) }
          break
        }
        dir = (dir as NSString).deletingLastPathComponent
      }
    }
    return roots
  }

  /// Every known dataset, with whether and where it was found.
  public func list() -> [Availability] {
    DatasetCatalog.entries.map { entry in
      if entry.name == "purchase-synthetic" {
        return Availability(
          name: entry.name, title: entry.title, location: "generated in memory",
          format: "synthetic generator", howToGet: entry.howToGet)
      }
      if let found = try? locate(entry.name) {
        return Availability(
          name: entry.name, title: entry.title, location: found.folder,
          format: found.layout.format.rawValue, howToGet: entry.howToGet)
      }
      return Availability(
        name: entry.name, title: entry.title, location: nil, format: nil,
        howToGet: entry.howToGet)
    }
  }

  /// The first folder and layout in which every file of `name` is present.
  public func locate(_ name: String) throws -> (folder: String, layout: Layout, files: [String]) {
    guard let entry = DatasetCatalog.entries.first(where: { $0.name == name }) else {
      throw DataError.unknownDataset(name: name, known: DatasetCatalog.entries.map(\.name))
    }
    var looked: [String] = []
    var roots = searchPath
    var explicitFolder = false
    if name == "imagenet-subset", let explicit = environment["LETHE_IMAGENET_SUBSET"], !explicit.isEmpty {
      roots = [explicit]
      explicitFolder = true
    }
    for layout in entry.layouts {
      looked.append(layout.describe())
    }
    for root in roots {
      for layout in entry.layouts {
        for folder in layout.folders where !folder.isEmpty || explicitFolder {
          let dir = folder.isEmpty ? root : root + "/" + folder
          guard FileBytes.isDirectory(dir) else { continue }
          var files: [String] = []
          for alternatives in layout.files {
            guard
              let hit = alternatives.map({ dir + "/" + $0 }).first(where: {
                FileManager.default.fileExists(atPath: $0)
              })
            else { break }
            files.append(hit)
          }
          if files.count == layout.files.count { return (dir, layout, files) }
        }
      }
    }
    throw DataError.missing(dataset: name, lookedFor: looked, searched: roots, howToGet: entry.howToGet)
  }

  /// Loads the train and test splits of `name`.
  public func load(_ name: String, options: LoadOptions = LoadOptions()) throws -> DatasetSplits {
    let started = Date()
    var splits: DatasetSplits
    if name == "purchase-synthetic" {
      let (train, test) = try PurchaseSynthetic.generate(
        classes: options.syntheticClasses, trainCount: options.syntheticTrainCount,
        testCount: options.syntheticTestCount, seed: options.seed)
      splits = DatasetSplits(train: train, test: test, location: "generated (synthetic)", fromCache: false)
    } else {
      let (folder, layout, files) = try locate(name)
      splits = try load(name: name, folder: folder, layout: layout, files: files, options: options)
    }
    try splits.checkAgreement()
    if options.normalize && splits.train.isImage {
      let stats = splits.train.channelStatistics()
      splits.train = try splits.train.normalized(stats)
      splits.test = try splits.test.normalized(stats)
    }
    splits.seconds = Date().timeIntervalSince(started)
    return splits
  }

  private func load(
    name: String, folder: String, layout: Layout, files: [String],
    options: LoadOptions
  ) throws -> DatasetSplits {
    func pair(_ d: [Dataset], cached: Bool = false) -> DatasetSplits {
      DatasetSplits(train: d[0], test: d[1], location: folder, fromCache: cached)
    }
    let classNames: [String]? = name == "fashion-mnist" ? DatasetCatalog.fashionClassNames : nil
    switch layout.format {
    case .idx:
      return pair(
        try IDXFile.loadDatasets(
          [(files[0], files[1], "\(name)/train"), (files[2], files[3], "\(name)/test")],
          classNames: classNames))
    case .cifarBinary:
      let variant: CIFARBinary.Variant = name == "cifar100" ? .cifar100 : .cifar10
      let names = variant == .cifar10 ? CIFARBinary.cifar10ClassNames : nil
      return pair([
        try CIFARBinary.load(
          files: Array(files.dropLast()), variant: variant, name: "\(name)/train", classNames: names),
        try CIFARBinary.load(files: [files.last!], variant: variant, name: "\(name)/test", classNames: names),
      ])
    case .imageTar:
      let geometry = ImageFolder.Geometry(channels: 3, height: 32, width: 32)
      let build = {
        let tarBytes = try FileBytes.readMaybeGzipped(files[0])
        let tar = try TarArchive(bytes: tarBytes, file: files[0])
        let train = try ImageFolder.load(
          tar: tar, prefix: "train/", name: "\(name)/train (JPEG)", geometry: geometry, origin: files[0])
        let test = try ImageFolder.load(
          tar: tar, prefix: "test/", name: "\(name)/test (JPEG)", geometry: geometry, origin: files[0],
          classNames: train.classNames)
        return [train, test]
      }
      if !options.useCache { return pair(try build()) }
      let r = try cache.cached(
        recipe: "image-tar|\(name)|3x32x32", sources: [files[0]],
        parts: ["train", "test"], build: build)
      return pair(r.datasets, cached: r.fromCache)
    case .imageFolder:
      let geometry =
        name == "imagenet-subset"
        ? ImageFolder.Geometry(channels: 3, height: options.imageSize, width: options.imageSize)
        : ImageFolder.Geometry(channels: 3, height: 32, width: 32)
      let build = {
        let train = try ImageFolder.load(directory: files[0], name: "\(name)/train", geometry: geometry)
        // The test split uses the training split's classes, so that labels agree.
        let extra = try FileBytes.list(files[1])
          .filter { !$0.hasPrefix(".") && FileBytes.isDirectory(files[1] + "/" + $0) }
          .filter { !train.classNames.contains($0) }
        if let stray = extra.sorted().first {
          throw DataError.malformed(file: files[1] + "/" + stray, problem: "a class the training split lacks")
        }
        let test = try ImageFolder.load(
          directory: files[1], name: "\(name)/test", geometry: geometry, classNames: train.classNames)
        return [train, test]
      }
      if !options.useCache { return pair(try build()) }
      // Keyed by every file under both splits (relative path, size, checksum).
      var sources: [String] = []
      for root in files.prefix(2) {
        let walker = FileManager.default.enumerator(atPath: root)
        while let relative = walker?.nextObject() as? String {
          let path = root + "/" + relative
          if FileBytes.isFile(path) { sources.append(path) }
        }
      }
      let r = try cache.cached(
        recipe: "image-folder|\(name)|\(geometry.channels)x\(geometry.height)x\(geometry.width)",
        sources: sources.sorted(), base: folder, parts: ["train", "test"], build: build)
      return pair(r.datasets, cached: r.fromCache)
    case .svhnMAT:
      return pair([
        try SVHNFile.load(files[0], name: "\(name)/train"), try SVHNFile.load(files[1], name: "\(name)/test"),
      ])
    case .purchaseNPZPair:
      // The test split takes the training split's classes (it may lack some of them).
      let train = try PurchaseFile.loadNPZ(files[0], name: "\(name)/train")
      return pair([
        train, try PurchaseFile.loadNPZ(files[1], name: "\(name)/test", classCount: train.classCount),
      ])
    case .purchaseNPZ, .purchaseText:
      let all =
        layout.format == .purchaseNPZ
        ? try PurchaseFile.loadNPZ(files[0], name: name) : try PurchaseFile.loadText(files[0], name: name)
      return try DatasetCatalog.splitPurchase(all, testFraction: options.purchaseTestFraction, folder: folder)
    }
  }

  /// Splits a single-file Purchase into train and test with a fixed seed (0), stated in the names.
  static func splitPurchase(_ all: Dataset, testFraction: Double, folder: String) throws -> DatasetSplits {
    guard testFraction > 0, testFraction < 1 else {
      throw DataError.invalidArgument(
        name: "purchase test fraction", problem: "\(testFraction) not in (0, 1)")
    }
    var g = RandomGenerator(seed: 0)
    let order = g.permutation(all.sampleCount)
    let testCount = max(1, Int(Double(all.sampleCount) * testFraction))
    guard testCount < all.sampleCount else {
      throw DataError.malformed(file: all.origin, problem: "too few samples (\(all.sampleCount)) to split")
    }
    func take(_ idx: [Int], _ split: String) throws -> Dataset {
      let d = all.sampleSize
      guard case .bytes(let bytes, let scale) = all.storage else {
        preconditionFailure("Purchase is stored as bytes")
      }
      var x = [UInt8](repeating: 0, count: idx.count * d)
      for (k, i) in idx.enumerated() {
        x.replaceSubrange((k * d)..<((k + 1) * d), with: bytes[(i * d)..<((i + 1) * d)])
      }
      return try Dataset(
        name: "\(all.name)/\(split)", sampleShape: all.sampleShape, classCount: all.classCount,
        labels: idx.map { all.labels[$0] }, storage: .bytes(x, scale: scale),
        origin: "\(all.origin) (seed-0 split, \(Int(testFraction * 100))% test)")
    }
    return DatasetSplits(
      train: try take(Array(order[testCount...]).sorted(), "train"),
      test: try take(Array(order[..<testCount]).sorted(), "test"), location: folder, fromCache: false)
  }
}

/// Options for `DatasetCatalog.load`.
public struct LoadOptions: Sendable {
  /// Normalise image sets per channel with the training split's mean and standard deviation.
  public var normalize = true
  /// Use (and fill) the decoded-data cache for archives.
  public var useCache = true
  /// Side length ImageNet-subset images are resized to.
  public var imageSize = 64
  /// Test share when Purchase comes as one file.
  public var purchaseTestFraction = 0.2
  /// Synthetic Purchase: classes, sample counts, generator seed.
  public var syntheticClasses = 100
  /// Synthetic Purchase: training samples.
  public var syntheticTrainCount = 20_000
  /// Synthetic Purchase: test samples.
  public var syntheticTestCount = 5_000
  /// Seed of the synthetic generator.
  public var seed: UInt64 = 0
  /// The defaults.
  public init() {}
}

/// A dataset's train and test splits as loaded.
public struct DatasetSplits: Sendable {
  /// The training split.
  public var train: Dataset
  /// The test split.
  public var test: Dataset
  /// The folder (or generator) they came from.
  public var location: String
  /// True when the decoded data came from the cache.
  public var fromCache: Bool
  /// Wall-clock seconds the load took.
  public var seconds: Double = 0
}

extension DatasetSplits {
  /// Throws unless a model trained on the training split can be evaluated on the test split:
  /// the same sample shape (channels, height, width, or features) and the same classes.
  public func checkAgreement() throws {
    guard train.sampleShape == test.sampleShape else {
      throw DataError.malformed(
        file: test.origin,
        problem: "the test split's samples have shape \(describe(test.sampleShape)), the training "
          + "split's \(describe(train.sampleShape)) (\(train.origin))")
    }
    guard train.classCount == test.classCount else {
      throw DataError.malformed(
        file: test.origin,
        problem: "the test split has \(test.classCount) classes, the training split "
          + "\(train.classCount) (\(train.origin))")
    }
  }

  private func describe(_ shape: [Int]) -> String {
    shape.count == 3 ? "\(shape[0]) channel(s) × \(shape[1])×\(shape[2])" : "\(shape)"
  }
}

/// Whether a known dataset was found, and where: one line of `lethe data`.
public struct Availability: Sendable, CustomStringConvertible {
  /// The dataset's name.
  public var name: String
  /// A one-line human description.
  public var title: String
  /// The folder it was found in, or nil when absent.
  public var location: String?
  /// The format found.
  public var format: String?
  /// How to get it when absent.
  public var howToGet: String
  /// True when present.
  public var isPresent: Bool { location != nil }

  /// One readable line.
  public var description: String {
    let pad = name.padding(toLength: 20, withPad: " ", startingAt: 0)
    if let location { return "\(pad)present  \(location) (\(format ?? "?"))" }
    return "\(pad)absent   \(howToGet)"
  }
}
