import Foundation

/// What a checkpoint says about itself, in the safetensors `__metadata__` (a string → string
/// map that `safetensors.safe_open(path, "pt").metadata()` returns in Python):
///
/// - `format`: `pt` (safetensors' convention for PyTorch state dicts);
/// - `lethe_version`: the Lethe that wrote it (`LetheVersion.current`);
/// - `model`, `model_options` (a JSON object of the options as given), `dataset`: what was trained
///   on what, when known;
/// - `normalization_mean`, `normalization_std` (JSON arrays, one entry per channel): the inputs
///   the model was trained on were `(x − mean[c]) / std[c]` with x the scaled value (pixels in
///   [0, 1]). A PyTorch user needs them to reproduce the logits.
public struct CheckpointMetadata: Sendable, Equatable {
  /// The model's name (`cnn`), when known.
  public var model: String?
  /// The model's options as given (name → value as written).
  public var modelOptions: [String: String] = [:]
  /// The dataset the model was trained on, when known.
  public var dataset: String?
  /// The input normalisation the model was trained with, when known.
  public var normalization: Normalization?
  /// The Lethe that wrote the checkpoint.
  public var letheVersion = LetheVersion.current

  /// Metadata with only the standard fields (format and version).
  public init(
    model: String? = nil, modelOptions: [String: String] = [:], dataset: String? = nil,
    normalization: Normalization? = nil
  ) {
    self.model = model
    self.modelOptions = modelOptions
    self.dataset = dataset
    self.normalization = normalization
  }

  /// The fields a file's `__metadata__` holds; unknown keys are ignored, malformed ones read as
  /// absent.
  public init(fields: [String: String]) {
    model = fields[Key.model]
    dataset = fields[Key.dataset]
    if let v = fields[Key.version] { letheVersion = v }
    if let json = fields[Key.modelOptions],
      let o = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    {
      modelOptions = o
    }
    if let m = fields[Key.mean].flatMap(Self.floats), let s = fields[Key.std].flatMap(Self.floats),
      m.count == s.count
    {
      normalization = Normalization(mean: m, std: s)
    }
  }

  /// The metadata fields, as written into a checkpoint.
  public var fields: [String: String] {
    var f = [Key.format: "pt", Key.version: letheVersion]
    if let model { f[Key.model] = model }
    if model != nil || !modelOptions.isEmpty { f[Key.modelOptions] = Self.json(modelOptions) }
    if let dataset { f[Key.dataset] = dataset }
    if let normalization {
      f[Key.mean] = Self.json(normalization.mean)
      f[Key.std] = Self.json(normalization.std)
    }
    return f
  }

  /// The metadata keys.
  public enum Key {
    /// `pt`.
    public static let format = "format"
    /// Lethe's version.
    public static let version = "lethe_version"
    /// The model's name.
    public static let model = "model"
    /// The model's options, a JSON object.
    public static let modelOptions = "model_options"
    /// The dataset's name.
    public static let dataset = "dataset"
    /// Per-channel means subtracted from the inputs, a JSON array.
    public static let mean = "normalization_mean"
    /// Per-channel standard deviations the inputs were divided by, a JSON array.
    public static let std = "normalization_std"
  }

  private static func json<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  private static func floats(_ text: String) -> [Float]? {
    try? JSONDecoder().decode([Float].self, from: Data(text.utf8))
  }
}
