import Core

extension Module {
  /// The last `Linear` layer in module order with its dotted name — the head Linear Filtration
  /// filters and DeltaGrad retrains over frozen features; nil when there is none.
  var linearHead: (name: String, layer: Linear)? {
    namedModules().last { $0.1 is Linear }.map { ($0.0, $0.1 as! Linear) }
  }
}
