import Core

/// How much tensor memory a Lua-held `Variable` keeps alive (its value, gradient and graph).
enum TensorMemory {
  /// Bytes of the values and gradients reachable from `v` through its recorded operations.
  static func bytesKeptAlive(by v: Variable) -> Int {
    var bytes = 4 * (v.value.count + (v.grad?.count ?? 0))
    guard v.creator != nil else { return bytes }
    var seen = Set<ObjectIdentifier>([ObjectIdentifier(v)])
    var stack = [v]
    while let node = stack.popLast() {
      for input in node.creator?.inputs ?? [] where seen.insert(ObjectIdentifier(input)).inserted {
        bytes += 4 * input.value.count
        stack.append(input)
      }
    }
    return bytes
  }
}
