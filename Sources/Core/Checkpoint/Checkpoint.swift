import Foundation

/// Model checkpoints as safetensors files with PyTorch's state-dict names and layouts, so that
/// `torch.save`-free exchange works both ways: `safetensors.torch.load_file` reads what `save`
/// writes into `model.load_state_dict`, and `load` reads `safetensors.torch.save_file(
/// model.state_dict())`. `num_batches_tracked` is written as I64 (PyTorch's dtype) and read from
/// I64 or F32.
public enum Checkpoint {
  /// Writes the model's state dict (parameters and buffers) to `url`, with optional metadata.
  public static func save(_ model: Module, to url: URL, metadata: [String: String] = [:]) throws {
    try SafeTensors.write(tensors(of: model), metadata: metadata, to: url)
  }

  /// The model's state dict as safetensors entries, optionally with a name prefix.
  public static func tensors(of model: Module, prefix: String = "") -> [(String, SafeTensor)] {
    model.stateEntries().map { e in
      let t: SafeTensor = e.isInteger
        ? .i64(shape: e.value.shape, values: e.value.storage.map { Int64($0) }) : .f32(e.value)
      return (prefix + e.name, t)
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

  /// Applies a parsed safetensors file to the model (see `load`); `fileName` is used in errors.
  public static func apply(
    _ file: SafeTensorFile, to model: Module, prefix: String = "", strict: Bool = true,
    fileName: String
  ) throws {
    let entries = model.stateEntries()
    var problems: [String] = []
    var values: [Tensor?] = []
    var expected = Set<String>()
    for e in entries {
      let name = prefix + e.name
      expected.insert(name)
      guard let stored = file[name] else {
        if strict { problems.append("missing \(name)") }
        values.append(nil)
        continue
      }
      let t: Tensor
      switch stored {
      case .f32(let f):
        t = f
      case .i64(let shape, let ints):
        guard e.isInteger, ints.count == Tensor.count(of: shape) else {
          problems.append("\(name) is I64, the model needs F32")
          values.append(nil)
          continue
        }
        t = Tensor(shape: shape, storage: ints.map { Float($0) })
      }
      if t.shape != e.value.shape {
        problems.append("\(name) has shape \(t.shape), the model needs \(e.value.shape)")
        values.append(nil)
        continue
      }
      values.append(t)
    }
    if strict {
      let extra = file.names.filter { $0.hasPrefix(prefix) && !expected.contains($0) }
      problems += extra.map { "unexpected \($0)" }
    }
    guard problems.isEmpty else {
      throw CheckpointError(
        file: fileName, message: "does not fit the model: " + Module.summarise(problems))
    }
    for (e, t) in zip(entries, values) { if let t { e.set(t) } }
  }
}
