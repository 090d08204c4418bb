extension RelabelledSource {
  /// The samples of `base` with the labels at some positions replaced (`replacing[position]` is
  /// the new label) and every other label kept: the random-labels method's training set.
  /// Throws when a position or a label is out of range.
  public init(base: any LabeledSource, replacing: [Int: Int]) throws {
    var labels = base.allLabels
    for (position, label) in replacing.sorted(by: { $0.key < $1.key }) {
      guard position >= 0, position < labels.count else {
        throw DataError.invalidArgument(
          name: "relabelled positions", problem: "position \(position) outside 0..<\(labels.count)")
      }
      labels[position] = label
    }
    try self.init(base: base, labels: labels, classCount: base.classCount)
  }
}
