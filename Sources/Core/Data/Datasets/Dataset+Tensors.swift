extension Dataset {
  /// A dataset over an inputs tensor `[N, ...]` and N 0-based labels in `0..<classCount` (small
  /// data made in a script). Batches return the inputs' values unchanged.
  public init(name: String, inputs: Tensor, labels: [Int], classCount: Int) throws {
    guard inputs.rank >= 2, inputs.shape[0] == labels.count else {
      throw DataError.malformed(
        file: name,
        problem: "inputs of shape \(inputs.shape) for \(labels.count) labels: [N, ...] with N = the label count expected")
    }
    guard classCount > 0, classCount <= Int(Int32.max) else {
      throw DataError.malformed(file: name, problem: "class count \(classCount) outside 1...\(Int32.max)")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
      throw DataError.malformed(file: name, problem: "label \(bad) outside 0..<\(classCount)")
    }
    try self.init(
      name: name, sampleShape: Array(inputs.shape.dropFirst()), classCount: classCount,
      labels: labels.map { Int32($0) }, storage: .floats(inputs.storage), origin: name)
  }
}
