import CLua
import Core

/// A retained batch source (a dataset, a subset, a view) that Lua can hold.
public final class DatasetRef {
  /// The samples.
  public let source: any LabeledSource
  /// A display name.
  public let name: String

  /// Wraps `source`.
  public init(_ source: any LabeledSource, name: String) {
    self.source = source
    self.name = name
  }
}

/// The Lua class of datasets.
public let datasetClass = LuaClass<DatasetRef>(
  name: "lethe.Dataset", doc: "Labelled samples to draw mini-batches from (a dataset, subset or view).")

/// An iterator over the mini-batches of one pass (`for x, y in ds:batches(64) do ... end`),
/// cut by Core's `EpochOrder`.
public final class BatchIterator {
  let source: any BatchSource
  let batches: [[Int]]
  let batchSize: Int
  var position = 0

  init(source: any BatchSource, batches: [[Int]], batchSize: Int) {
    self.source = source
    self.batches = batches
    self.batchSize = batchSize
  }
}

/// The Lua class of batch iterators.
public let batchIteratorClass = LuaClass<BatchIterator>(
  name: "lethe.Batches", doc: "An iterator over mini-batches: each call returns inputs and labels, then nil.")

extension LuaCall {
  /// Argument `i` as a dataset.
  public func dataset(_ i: Int32) throws -> any LabeledSource { try object(i, datasetClass).source }
}

/// `lethe.data`: datasets, scenarios and batches.
enum DataBindings: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.module(
      "data", doc: "Datasets, forget scenarios and mini-batches.",
      example: """
        local ds = lethe.data.from_tensors(lethe.tensor.randn(100, 4), labels, 3)
        for x, y in ds:batches(32, {shuffle = true, seed = 1}) do print(x:shape()[1], #y) end
        """)
    r.function(
      "data", "from_tensors", "from_tensors(inputs, labels [, classes]) -> Dataset",
      "A dataset over inputs [N, ...] and N 0-based labels (classes defaults to max label + 1)."
    ) { call in
      let x = try call.tensor(1).value
      let y = try call.labels(2)
      let k = try call.integer(3, default: (y.max() ?? -1) + 1)
      let dataset = try Dataset(name: "tensors", inputs: x, labels: y, classCount: k)
      call.push(DatasetRef(dataset, name: "tensors"), datasetClass)
      return 1
    }
    r.declare(datasetClass)
    registerDatasetMethods(into: &r)
    ScenarioBindings.register(into: &r)
    r.declare(batchIteratorClass)
    r.metamethod(batchIteratorClass, "__tostring", "Progress through the pass.") { call in
      let it = try call.object(1, batchIteratorClass)
      call.push("lethe.Batches(\(it.position) of \(it.batches.count) batches of \(it.batchSize))")
      return 1
    }
    r.metamethod(batchIteratorClass, "__call", "The next batch (inputs, labels), or nil at the end.") {
      call in
      let it = try call.object(1, batchIteratorClass)
      if LuaContext.interrupted { throw BindingError("interrupted!") }
      guard it.position < it.batches.count else {
        call.pushNil()
        return 1
      }
      let batch = try it.source.batch(at: it.batches[it.position])
      it.position += 1
      call.push(batch.inputs)
      call.push(batch.labels)
      return 2
    }
  }

  static func registerDatasetMethods(into r: inout LuaRegistry) {
    r.metamethod(datasetClass, "__len", "The number of samples.") { call in
      call.push(try call.dataset(1).sampleCount)
      return 1
    }
    r.metamethod(datasetClass, "__tostring", "Name, size, sample shape and classes.") { call in
      let d = try call.object(1, datasetClass)
      let s = d.source
      call.push(
        "lethe.Dataset(\(d.name): \(s.sampleCount) samples of "
          + "{\(s.sampleShape.map(String.init).joined(separator: ", "))}, \(s.classCount) classes)"
      )
      return 1
    }
    r.method(datasetClass, "size", "ds:size() -> integer", "The number of samples.") { call in
      call.push(try call.dataset(1).sampleCount)
      return 1
    }
    r.method(datasetClass, "sample_shape", "ds:sample_shape() -> {d1, ...}", "The shape of one input sample.")
    { call in
      call.push(try call.dataset(1).sampleShape)
      return 1
    }
    r.method(datasetClass, "classes", "ds:classes() -> integer", "The number of classes.") { call in
      call.push(try call.dataset(1).classCount)
      return 1
    }
    r.method(
      datasetClass, "batch", "ds:batch({i1, i2, ...}) -> inputs, labels",
      "The samples at 1-based positions, stacked, with their 0-based labels."
    ) { call in
      let s = try call.dataset(1)
      let idx = try call.integers(2).map {
        try TensorMethods.position($0, extent: s.sampleCount, argument: 2)
      }
      // Positions may repeat: a short list can ask for more than the dataset holds.
      try Tensor.validate(shape: [idx.count] + s.sampleShape)
      let b = try s.batch(at: idx)
      call.push(b.inputs)
      call.push(b.labels)
      return 2
    }
    r.method(
      datasetClass, "batches", "ds:batches(size [, \(BatchesOptions.optionSpecs().luaSignature)]) -> iterator",
      "Mini-batches of one pass, for a generic for: `for x, y in ds:batches(64) do ... end`."
    ) { call in
      let s = try call.dataset(1)
      let size = try call.integer(2)
      guard size > 0 else { throw LuaError.argument(index: 2, message: "positive batch size expected") }
      let options = try LuaConfigReader.read(call, 3, base: BatchesOptions())
      let epoch = EpochOrder(sampleCount: s.sampleCount, shuffle: options.shuffle)
      let batches: [[Int]]
      if let seed = options.seed {
        var rng = RandomGenerator(seed: seed)
        batches = try epoch.nextBatches(size: size, dropLast: options.dropLast, using: &rng)
      } else {
        batches = try epoch.nextBatches(size: size, dropLast: options.dropLast, using: &call.context.rng)
      }
      call.push(BatchIterator(source: s, batches: batches, batchSize: size), batchIteratorClass)
      return 1
    }
    r.method(
      datasetClass, "subset", "ds:subset({i1, i2, ...}) -> Dataset",
      "The samples at 1-based positions, as a dataset."
    ) {
      call in
      let s = try call.dataset(1)
      let idx = try call.integers(2).map {
        try TensorMethods.position($0, extent: s.sampleCount, argument: 2)
      }
      call.push(DatasetRef(try DataView(base: s, indices: idx), name: "subset"), datasetClass)
      return 1
    }
  }

  /// One line per known dataset: name, present or missing, and where.
  static func catalogLines() -> [String] {
    let catalog = DatasetCatalog()
    return catalog.list().map(\.description) + [
      "", "search path: " + catalog.searchPath.joined(separator: ":"),
    ]
  }
}
