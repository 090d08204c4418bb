/// `lethe.data`: datasets, scenarios and batches (filled as the data catalogue lands).
enum DataBindings {
  /// One line per known dataset: name, present or missing, and where.
  static func catalogLines() -> [String] {
    ["the data catalogue is not built into this binary yet"]
  }
}
