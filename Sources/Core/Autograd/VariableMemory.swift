/// How much tensor memory a `Variable` keeps alive: its value, its gradient and, for the result
/// of recorded operations, every value of its autograd graph.
extension Variable {
  /// Bytes of the values and gradients reachable from this variable through its recorded operations.
  public var bytesKeptAlive: Int {
    var bytes = 4 * (value.count + (grad?.count ?? 0))
    guard creator != nil else { return bytes }
    var seen = Set<ObjectIdentifier>([ObjectIdentifier(self)])
    var stack = [self]
    while let node = stack.popLast() {
      for input in node.creator?.inputs ?? [] where seen.insert(ObjectIdentifier(input)).inserted {
        bytes += 4 * input.value.count
        stack.append(input)
      }
    }
    return bytes
  }
}
