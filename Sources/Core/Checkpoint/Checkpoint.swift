import Foundation

/// Model checkpoints as safetensors files with PyTorch's state-dict names and layouts: the one
/// reader and writer of model weights in Lethe (the Lua `m:save`/`m:load` and the experiment
/// cache call it). `safetensors.torch.load_file` reads what `save` writes into
/// `model.load_state_dict(..., strict=True)`, and `load` reads `safetensors.torch.save_file(
/// model.state_dict())`. `num_batches_tracked` is written as I64 (PyTorch's dtype) and read from
/// I64 or F32. Every file written describes itself in `__metadata__` (see `CheckpointMetadata`).
///
/// A model made of several modules (an ensemble) is saved as `Part`s: each module's names carry
/// its part's prefix (`shard0.fc.weight`).
public enum Checkpoint {
  /// A module and the prefix its names carry in a checkpoint ("" for a single model).
  public typealias Part = (prefix: String, module: Module)

  /// Writes the model's state dict (parameters and buffers) to `url`, atomically. `metadata`
  /// is added to `CheckpointMetadata`'s standard fields (format and Lethe's version).
  public static func save(_ model: Module, to url: URL, metadata: [String: String] = [:]) throws {
    try save([("", model)], to: url, metadata: metadata)
  }

  /// Writes the state dicts of `parts` to `url`, atomically, each under its prefix.
  public static func save(_ parts: [Part], to url: URL, metadata: [String: String] = [:]) throws {
    let fields = CheckpointMetadata().fields.merging(metadata) { _, given in given }
    try SafeTensors.write(tensors(of: parts), metadata: fields, to: url)
  }

  /// The bytes `save` would write, for callers that place the file themselves (the experiment
  /// cache writes to a temporary name of its own and renames).
  public static func encode(_ parts: [Part], metadata: [String: String] = [:]) throws -> [UInt8] {
    let fields = CheckpointMetadata().fields.merging(metadata) { _, given in given }
    return try SafeTensors.encode(tensors(of: parts), metadata: fields)
  }

  /// The model's state dict as safetensors entries, optionally with a name prefix.
  public static func tensors(of model: Module, prefix: String = "") -> [(String, SafeTensor)] {
    tensors(of: [(prefix, model)])
  }

  /// The state dicts of `parts` as safetensors entries, each name with its part's prefix.
  public static func tensors(of parts: [Part]) -> [(String, SafeTensor)] {
    parts.flatMap { part in
      part.module.stateEntries().map { e in
        let t: SafeTensor = e.isInteger
          ? .i64(shape: e.value.shape, values: e.value.storage.map { Int64($0) }) : .f32(e.value)
        return (part.prefix + e.name, t)
      }
    }
  }

  /// Reads `url` into the model. With `strict`, the file must hold exactly the model's names
  /// (extra names are allowed when `prefix` selects a part of the file); shapes must match.
  /// Nothing is written to the model unless every tensor fits; the error names the file and
  /// lists the problems (missing and unexpected names, shapes, dtypes).
  public static func load(
    into model: Module, from url: URL, prefix: String = "", strict: Bool = true
  ) throws {
    let file = try SafeTensors.read(url)
    try apply(file, to: model, prefix: prefix, strict: strict, fileName: url.path)
  }

  /// Reads `url` into `parts` (see `apply(_:to:scope:strict:fileName:)`).
  public static func load(into parts: [Part], from url: URL, strict: Bool = true) throws {
    let file = try SafeTensors.read(url)
    try apply(file, to: parts, strict: strict, fileName: url.path)
  }

  /// Applies a parsed safetensors file to the model (see `load`); `fileName` is used in errors.
  public static func apply(
    _ file: SafeTensorFile, to model: Module, prefix: String = "", strict: Bool = true,
    fileName: String
  ) throws {
    try apply(file, to: [(prefix, model)], scope: prefix, strict: strict, fileName: fileName)
  }

  /// Applies a parsed safetensors file to `parts`, each reading the names under its prefix.
  /// With `strict`, every name of every part must be present and the file may hold no other
  /// name starting with `scope` ("" : no other name at all); shapes must always match. Nothing
  /// is written unless everything fits.
  public static func apply(
    _ file: SafeTensorFile, to parts: [Part], scope: String = "", strict: Bool = true,
    fileName: String
  ) throws {
    var problems: [String] = []
    var writes: [(Module.StateEntry, Tensor)] = []
    var expected = Set<String>()
    for part in parts {
      for e in part.module.stateEntries() {
        let name = part.prefix + e.name
        expected.insert(name)
        guard let stored = file[name] else {
          if strict { problems.append("missing \(name)") }
          continue
        }
        let t: Tensor
        switch stored {
        case .f32(let f):
          t = f
        case .i64(let shape, let ints):
          guard e.isInteger, ints.count == Tensor.count(of: shape) else {
            problems.append("\(name) is I64, the model needs F32")
            continue
          }
          t = Tensor(shape: shape, storage: ints.map { Float($0) })
        }
        guard t.shape == e.value.shape else {
          problems.append("\(name) has shape \(t.shape), the model needs \(e.value.shape)")
          continue
        }
        writes.append((e, t))
      }
    }
    if strict {
      let extra = file.names.filter { $0.hasPrefix(scope) && !expected.contains($0) }
      problems += extra.map { "unexpected \($0)" }
    }
    guard problems.isEmpty else {
      throw CheckpointError(
        file: fileName, message: "does not fit the model: " + Module.summarise(problems))
    }
    for (e, t) in writes { e.set(t) }
  }
}
