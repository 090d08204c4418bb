import Foundation
import Synchronization

/// A low-overhead parallel-for over a fixed pool of worker threads (the calling thread takes part).
///
/// Bodies run concurrently on several threads: they must write only disjoint memory. A call made
/// while another parallel region is running (nested, or from a second thread) runs serially on the
/// calling thread, so parallel kernels may call other parallel kernels without deadlock.
public enum Parallel {
  /// The number of cores this process may run on (its CPU affinity), at least 1.
  public static let activeCores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

  // An atomic so that `--threads` may set it while kernels read it from any thread.
  private static let threadCountStorage = Atomic<Int>(activeCores)

  /// How many threads parallel kernels use (the caller included); default: `activeCores`.
  /// Values are clamped to 1...256.
  public static var threadCount: Int {
    get { threadCountStorage.load(ordering: .relaxed) }
    set { threadCountStorage.store(min(max(newValue, 1), 256), ordering: .relaxed) }
  }

  /// Calls `body(i)` once for every `i` in `0..<count`, spread over up to `threadCount` threads.
  public static func forEach(count: Int, _ body: (Int) -> Void) {
    forEachWorker(count: count, threads: threadCount) { item, _ in body(item) }
  }

  /// Splits `0..<count` into contiguous chunks of at least `minChunk` indices (one or a few per
  /// thread) and calls `body` once per chunk, concurrently. Suits loops whose items are cheap.
  public static func forEachChunk(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let threads = threadCount
    // Two chunks per thread absorb some imbalance when another process takes a core.
    let wanted = threads == 1 ? 1 : 2 * threads
    let chunks = max(1, min(wanted, count / max(minChunk, 1)))
    if chunks == 1 {
      body(0..<count)
      return
    }
    forEachWorker(count: chunks, threads: threads) { chunk, _ in
      body((chunk * count / chunks)..<((chunk + 1) * count / chunks))
    }
  }

  /// Calls `body(i)` for every `i` in `0..<count` in a few contiguous runs (two per thread, to
  /// absorb some imbalance) on up to `threadCount` threads, or serially when the loop is small:
  /// `work` estimates one index's cost, and below 2¹⁵ in all a hand-off does not pay. For
  /// memory-bound loops over planes or rows (pooling, batch norm, elementwise ops).
  public static func forEachIndex(_ count: Int, work: Int, _ body: (Int) -> Void) {
    let threads = threadCount
    if threads < 2 || count < 2 || count * work < 1 << 15 {
      for i in 0..<count { body(i) }
      return
    }
    let runs = min(count, 2 * threads)
    forEachWorker(count: runs, threads: threads) { run, _ in
      for i in (run * count / runs)..<((run + 1) * count / runs) { body(i) }
    }
  }

  /// Calls `body(item, worker)` for every `item` in `0..<count` on up to `threads` threads;
  /// `worker` is in `0..<threads` and no two concurrent calls share one, so a body may use
  /// per-worker scratch memory indexed by it.
  public static func forEachWorker(count: Int, threads: Int, _ body: (Int, Int) -> Void) {
    guard count > 0 else { return }
    let participants = min(threads, count)
    if participants <= 1 {
      for item in 0..<count { body(item, 0) }
      return
    }
    WorkerPool.shared.run(count: count, participants: participants, body)
  }
}
