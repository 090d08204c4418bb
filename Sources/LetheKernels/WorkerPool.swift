import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The persistent threads behind `Parallel`. One region runs at a time: the caller publishes a job
/// (bumping `generation`), takes part itself as worker 0, and waits until every other participant
/// has finished. Waiting first spins briefly (back-to-back regions are common: GEMM packs, then
/// computes) and then sleeps on a condition variable, so idle workers cost nothing.
///
/// `@unchecked Sendable`: the mutable fields are guarded by `mutex`, or written by the caller
/// before the `generation` release-store that publishes them and read by workers after the
/// matching acquire-load; `busy` makes the caller unique.
final class WorkerPool: @unchecked Sendable {
  /// The process-wide pool, grown on demand to `Parallel.threadCount - 1` threads.
  static let shared = WorkerPool()

  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wakeCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let doneCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let busy = Atomic<Bool>(false)
  // (region counter << 16) | participant count, so a worker reads both in one atomic load.
  private let generation = Atomic<Int>(0)
  private let nextItem = Atomic<Int>(0)
  private let pendingWorkers = Atomic<Int>(0)

  // The published job; valid while a region runs.
  private var body: ((Int, Int) -> Void)?
  private var itemCount = 0
  private var threadsStarted = 0  // guarded by `mutex`

  /// Spin iterations before sleeping (roughly tens of microseconds).
  private let spinLimit = 20_000

  private init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wakeCondition, nil)
    pthread_cond_init(doneCondition, nil)
  }

  /// Runs `body(item, worker)` for all items on `participants` threads (caller included), or
  /// serially when another region is already running.
  func run(count: Int, participants wanted: Int, _ work: (Int, Int) -> Void) {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      for item in 0..<count { work(item, 0) }
      return
    }
    defer { busy.store(false, ordering: .releasing) }
    ensureThreads(wanted - 1)

    withoutActuallyEscaping(work) { escapable in
      pthread_mutex_lock(mutex)
      body = escapable
      itemCount = count
      nextItem.store(0, ordering: .relaxed)
      pendingWorkers.store(wanted - 1, ordering: .relaxed)
      let counter = (generation.load(ordering: .relaxed) >> 16) + 1
      generation.store((counter << 16) | wanted, ordering: .releasing)
      pthread_cond_broadcast(wakeCondition)
      pthread_mutex_unlock(mutex)

      drainItems(worker: 0)
      waitForWorkers()
      body = nil
    }
  }

  private func drainItems(worker: Int) {
    let work = body!
    let count = itemCount
    while true {
      let item = nextItem.wrappingAdd(1, ordering: .relaxed).oldValue
      if item >= count { break }
      work(item, worker)
    }
  }

  private func waitForWorkers() {
    var spins = 0
    while pendingWorkers.load(ordering: .acquiring) != 0 {
      spins += 1
      if spins < spinLimit { continue }
      pthread_mutex_lock(mutex)
      while pendingWorkers.load(ordering: .acquiring) != 0 {
        pthread_cond_wait(doneCondition, mutex)
      }
      pthread_mutex_unlock(mutex)
    }
  }

  private func ensureThreads(_ needed: Int) {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while threadsStarted < needed {
      threadsStarted += 1
      let worker = threadsStarted
      let seen = generation.load(ordering: .acquiring)
      let thread = Thread { [self] in workerLoop(worker: worker, seen: seen) }
      thread.name = "lethe-worker-\(worker)"
      thread.start()
    }
  }

  private func workerLoop(worker: Int, seen start: Int) {
    var seen = start
    while true {
      seen = waitForGeneration(after: seen)
      // Participants are workers 0..<participants; the caller is worker 0.
      guard worker < seen & 0xFFFF else { continue }
      drainItems(worker: worker)
      if pendingWorkers.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
        pthread_mutex_lock(mutex)
        pthread_cond_signal(doneCondition)
        pthread_mutex_unlock(mutex)
      }
    }
  }

  private func waitForGeneration(after seen: Int) -> Int {
    for _ in 0..<spinLimit {
      let now = generation.load(ordering: .acquiring)
      if now != seen { return now }
    }
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while generation.load(ordering: .acquiring) == seen {
      pthread_cond_wait(wakeCondition, mutex)
    }
    return generation.load(ordering: .acquiring)
  }
}
