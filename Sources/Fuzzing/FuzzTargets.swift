import Core
import Foundation
import Experiments

/// Every parser that reads a file a user may be handed, as a fuzz target. To cover a new format,
/// add a target here and a few small valid files under `Tests/Fuzz/corpus/<name>/`.
public enum FuzzTargets {
  /// All targets, by name.
  public static let all: [FuzzTarget] = [
    safetensors, idx, cifar, npy, npz, mat, tar, zip, image, purchaseText, datasetCache, results,
  ]

  /// The target called `name`, if any.
  public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

  static func dataError(_ e: Error) -> Bool { e is DataError }

  /// Runs `body`, swallowing only the error type `E` (a clear rejection of this reading);
  /// anything else propagates for the target to judge.
  static func rejecting<E: Error>(_: E.Type, _ body: () throws -> Void) rethrows {
    do { try body() } catch is E {}
  }

  /// A safetensors file read as a checkpoint of a small model with every kind of state (a
  /// convolution, batch norm with its I64 counter, a linear layer), strictly and leniently.
  static let safetensors = FuzzTarget(
    name: "safetensors", summary: "SafeTensors.parse, CheckpointMetadata, Checkpoint.apply to a small model",
    isExpected: { $0 is SafeTensorsError || $0 is CheckpointError }
  ) { bytes in
    let file = try SafeTensors.parse(bytes, name: "input.safetensors")
    _ = CheckpointMetadata(fields: file.metadata)
    var rng = RandomGenerator(seed: 1)
    let model = try Sequential(named: [
      ("conv", try Conv2d(1, 2, kernelSize: 3, rng: &rng)), ("bn", try BatchNorm2d(2)),
      ("flatten", Flatten()), ("fc", try Linear(8, 3, rng: &rng)),
    ])
    try rejecting(CheckpointError.self) {
      try Checkpoint.apply(file, to: model, strict: true, fileName: "input.safetensors")
    }
    try rejecting(CheckpointError.self) {
      try Checkpoint.apply(file, to: model, strict: false, fileName: "input.safetensors")
    }
  }

  /// IDX, raw or gzipped (inflation bounded by the header's dimensions).
  static let idx = FuzzTarget(
    name: "idx", summary: "IDXFile.decode (plain and gzip)", isExpected: dataError
  ) { bytes in
    _ = try IDXFile.decode(bytes, file: "input-idx3-ubyte")
  }

  /// One CIFAR binary batch, raw or gzipped, read as CIFAR-10 and as CIFAR-100.
  static let cifar = FuzzTarget(
    name: "cifar", summary: "CIFARBinary.parse, both variants", isExpected: dataError
  ) { bytes in
    // A valid seed is one of the two; both readings must fail cleanly or succeed.
    do {
      _ = try CIFARBinary.parse(bytes, file: "data_batch_1.bin", variant: .cifar10, name: "c10")
    } catch is DataError {
      _ = try CIFARBinary.parse(bytes, file: "train.bin", variant: .cifar100, name: "c100")
    }
  }

  /// A `.npy` array and every view of its values.
  static let npy = FuzzTarget(
    name: "npy", summary: "NumPyArray.parse and its value conversions", isExpected: dataError
  ) { bytes in
    let a = try NumPyArray.parse(bytes, file: "input.npy")
    _ = a.count
    _ = a.floats
  }

  /// A `.npz` as Purchase reads it: the zip, each `.npy` member, labels and features checked.
  static let npz = FuzzTarget(
    name: "npz", summary: "PurchaseFile.parseNPZ (zip, npy members, label checks)", isExpected: dataError
  ) { bytes in
    _ = try NumPyArray.parseArchive(bytes, file: "input.npz")
    _ = try PurchaseFile.parseNPZ(bytes, file: "input.npz", name: "purchase")
  }

  /// A MATLAB level-5 file as SVHN reads it.
  static let mat = FuzzTarget(
    name: "mat", summary: "SVHNFile.parse (MATFile.parse, miCOMPRESSED, conversion)", isExpected: dataError
  ) { bytes in
    _ = try MATFile.parse(bytes, file: "input.mat")
    try rejecting(DataError.self) { _ = try SVHNFile.parse(bytes, file: "input.mat", name: "svhn") }
  }

  /// A tar of an image-folder tree, as the CIFAR-10 JPEG archive is read.
  static let tar = FuzzTarget(
    name: "tar", summary: "TarArchive, then ImageFolder.load(tar:) decoding its images",
    isExpected: dataError
  ) { bytes in
    let t = try TarArchive(bytes: bytes, file: "input.tar")
    let geometry = ImageFolder.Geometry(channels: 3, height: 8, width: 8)
    let train = try ImageFolder.load(tar: t, prefix: "train/", name: "t", geometry: geometry, origin: "input.tar")
    _ = try ImageFolder.load(
      tar: t, prefix: "test/", name: "t", geometry: geometry, origin: "input.tar", classNames: train.classNames)
  }

  /// A zip archive: the central directory, then every member inflated and CRC-checked.
  static let zip = FuzzTarget(
    name: "zip", summary: "ZipArchive and every member's contents", isExpected: dataError
  ) { bytes in
    let z = try ZipArchive(bytes: bytes, file: "input.zip")
    for e in z.entries { try rejecting(DataError.self) { _ = try z.contents(of: e) } }
  }

  /// A JPEG or PNG image, as in an image folder.
  static let image = FuzzTarget(
    name: "image", summary: "ImageDecoder.decode (libjpeg, libpng), resized", isExpected: dataError
  ) { bytes in
    _ = try bytes.withUnsafeBufferPointer {
      try ImageDecoder.decode($0, file: "input.jpg", channels: 3, height: 8, width: 8)
    }
  }

  /// Purchase's text form (`label,f1,…`), raw or gzipped.
  static let purchaseText = FuzzTarget(
    name: "purchase-text", summary: "PurchaseFile.parseText", isExpected: dataError
  ) { bytes in
    _ = try PurchaseFile.parseText(bytes, file: "dataset_purchase", name: "purchase")
  }

  /// An entry of the decoded-dataset cache.
  static let datasetCache = FuzzTarget(
    name: "dataset-cache", summary: "DataCache.decodeEntry (checksum, header, sizes)", isExpected: dataError
  ) { bytes in
    _ = try DataCache.decodeEntry(bytes, file: "entry.ldset")
  }

  /// A results file (JSON Lines of run records), through its public read API.
  static let results = FuzzTarget(
    name: "results", summary: "ResultsFile.read on a results file", isExpected: { $0 is ExperimentError }
  ) { bytes in
    let path = ScratchFile.path
    try bytes.withUnsafeBytes { raw in
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
      guard fd >= 0 else { fatalError("cannot open the fuzz scratch file \(path)") }
      defer { close(fd) }
      try FileIO.writeAll(raw, to: fd, path: path)
    }
    _ = try ResultsFile(path: path).read()
  }
}

/// A per-process scratch file for targets whose API reads a path (in /dev/shm when available).
enum ScratchFile {
  static let path: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let p = "\(folder)/lethe-fuzz-\(getpid()).jsonl"
    atexit { unlink(ScratchFile.path) }
    return p
  }()
}
