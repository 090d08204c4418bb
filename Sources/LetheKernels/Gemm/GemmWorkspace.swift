import Synchronization

/// Packing buffers for one GEMM call: a shared packed-A block and one packed-B chunk per worker.
/// Buffers are kept in a process-wide free list and grow on demand, so steady-state calls
/// allocate nothing; concurrent calls each take their own workspace.
///
/// `@unchecked Sendable`: a workspace is owned by exactly one GEMM call between `acquire` and
/// `release` (the free list is behind a `Mutex`); within a call, workers write disjoint parts.
final class GemmWorkspace: @unchecked Sendable {
  private static let freeList = Mutex<[GemmWorkspace]>([])

  private(set) var shared = UnsafeMutablePointer<Float>.allocate(capacity: 0)
  private var sharedCapacity = 0
  private var perWorker: [UnsafeMutablePointer<Float>] = []
  private var perWorkerCapacity = 0
  /// Per-panel flags of the shared block (see `GemmSwiftDriver.Block`).
  private(set) var flags = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
  private var flagCapacity = 0

  /// A workspace for the calling GEMM; give it back with `release()`.
  static func acquire() -> GemmWorkspace {
    freeList.withLock { $0.popLast() } ?? GemmWorkspace()
  }

  /// Returns the workspace to the free list.
  func release() {
    Self.freeList.withLock { $0.append(self) }
  }

  /// Ensures room for a shared block of `sharedFloats`, `workers` blocks of `perWorkerFloats`
  /// and `flags` panel flags.
  func reserve(sharedFloats: Int, perWorkerFloats: Int, workers: Int, flags flagCount: Int) {
    if flagCount > flagCapacity {
      flags.deallocate()
      flags = .allocate(capacity: flagCount)
      flagCapacity = flagCount
    }
    if sharedFloats > sharedCapacity {
      shared.deallocate()
      shared = Self.allocate(sharedFloats)
      sharedCapacity = sharedFloats
    }
    if perWorkerFloats > perWorkerCapacity {
      for buffer in perWorker { buffer.deallocate() }
      perWorker = []
      perWorkerCapacity = perWorkerFloats
    }
    while perWorker.count < workers { perWorker.append(Self.allocate(perWorkerCapacity)) }
  }

  /// The block of `worker` (valid after `reserve`).
  func perWorker(_ worker: Int) -> UnsafeMutablePointer<Float> { perWorker[worker] }

  // 64-byte alignment: one AVX-512 vector per cache line.
  private static func allocate(_ floats: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(floats, 16) * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: max(floats, 16))
  }

  deinit {
    flags.deallocate()
    shared.deallocate()
    for buffer in perWorker { buffer.deallocate() }
  }
}
