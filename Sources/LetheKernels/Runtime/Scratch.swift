import Synchronization

/// Reusable scratch memory for kernels (im2col columns, GEMM staging), so a training step does
/// not map and fault in fresh pages for every convolution.
public enum Scratch {
  /// Free buffers as (address, capacity), largest first; a handful at most. Addresses are
  /// stored as integers so the pool is Sendable; a buffer is owned by whoever removed it.
  private static let pool = Mutex<[(UInt, Int)]>([])
  private static let keep = 6

  /// Calls `body` with at least `count` floats of uninitialised scratch memory.
  @inline(never)
  public static func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let n = max(count, 1)
    let taken: (UInt, Int)? = pool.withLock { free in
      guard let i = free.lastIndex(where: { $0.1 >= n }) else { return nil }
      return free.remove(at: i)
    }
    let buf: (UInt, Int)
    if let taken {
      buf = taken
    } else {
      let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
      buf = (UInt(bitPattern: p), n)
    }
    defer {
      let evicted: UInt? = pool.withLock { free in
        free.append(buf)
        free.sort { $0.1 > $1.1 }
        return free.count > keep ? free.removeLast().0 : nil
      }
      if let evicted { UnsafeMutablePointer<Float>(bitPattern: evicted)?.deallocate() }
    }
    return body(UnsafeMutablePointer<Float>(bitPattern: buf.0)!)
  }
}
