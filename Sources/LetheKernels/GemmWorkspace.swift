import Synchronization

/// Packing buffers for one GEMM call: a shared packed-B block and one packed-A block per worker.
/// Buffers are kept in a process-wide free list and grow on demand, so steady-state calls
/// allocate nothing; concurrent calls each take their own workspace.
///
/// `@unchecked Sendable`: a workspace is owned by exactly one GEMM call between `acquire` and
/// `release` (the free list is behind a `Mutex`); within a call, workers write disjoint parts.
final class GemmWorkspace: @unchecked Sendable {
  private static let freeList = Mutex<[GemmWorkspace]>([])

  private(set) var packedB = UnsafeMutablePointer<Float>.allocate(capacity: 0)
  private var packedBCapacity = 0
  private var packedA: [UnsafeMutablePointer<Float>] = []
  private var packedACapacity = 0

  /// A workspace for the calling GEMM; give it back with `release()`.
  static func acquire() -> GemmWorkspace {
    freeList.withLock { $0.popLast() } ?? GemmWorkspace()
  }

  /// Returns the workspace to the free list.
  func release() {
    Self.freeList.withLock { $0.append(self) }
  }

  /// Ensures room for a packed-B block of `bFloats` and `workers` packed-A blocks of `aFloats`.
  func reserve(bFloats: Int, aFloats: Int, workers: Int) {
    if bFloats > packedBCapacity {
      packedB.deallocate()
      packedB = Self.allocate(bFloats)
      packedBCapacity = bFloats
    }
    if aFloats > packedACapacity {
      for buffer in packedA { buffer.deallocate() }
      packedA = []
      packedACapacity = aFloats
    }
    while packedA.count < workers { packedA.append(Self.allocate(packedACapacity)) }
  }

  /// The packed-A block of `worker` (valid after `reserve`).
  func packedA(worker: Int) -> UnsafeMutablePointer<Float> { packedA[worker] }

  // 64-byte alignment: one AVX-512 vector per cache line.
  private static func allocate(_ floats: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(floats, 16) * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: max(floats, 16))
  }

  deinit {
    packedB.deallocate()
    for buffer in packedA { buffer.deallocate() }
  }
}
