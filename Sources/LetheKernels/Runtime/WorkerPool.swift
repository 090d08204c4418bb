import CLetheKernels
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The persistent threads behind `Parallel`. One region runs at a time: the caller publishes a job
/// (a new generation in `state`), takes part itself as worker 0, then closes the region and waits
/// for the workers that joined. A worker joins only while the region is open, so a worker that
/// wakes late (its core busy with another process) never delays the caller: the caller simply
/// does the remaining items itself. A waiting thread spins a few microseconds on PAUSE (regions
/// often follow each other at once: the kernels of a training step), then keeps checking
/// between `sched_yield` calls for a while (the gaps between a step's kernels: waking a sleeping
/// thread costs tens of microseconds on this VM), then sleeps on a condition variable, so idle
/// workers cost nothing. On a quiet machine `sched_yield` returns at once; when another process
/// wants the core, the waiter steps aside instead of taking the core from it, or from our own
/// caller (a pure spin there made regions up to ten times slower than running them serially).
///
/// `@unchecked Sendable`: `body` and `itemCount` are written by the caller before the
/// release-store of a new generation and read only by workers that joined that generation
/// (which the caller waits for before touching them again); the rest is atomic or guarded by
/// `mutex`; `busy` makes the caller unique.
final class WorkerPool: @unchecked Sendable {
  /// The process-wide pool, grown on demand to `Parallel.threadCount - 1` threads.
  static let shared = WorkerPool()

  // `state` layout: generation (bits 21...) | participant limit (bits 11-20) | closed (bit 10) |
  // workers joined and not yet finished (bits 0-9). Thread counts are at most 256.
  private static let generationShift = 21
  private static let participantShift = 11
  private static let closedBit = 1 << 10
  private static let fieldMask = (1 << 10) - 1

  private let state = Atomic<Int>(0)
  private let nextItem = Atomic<Int>(0)
  private let busy = Atomic<Bool>(false)
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wakeCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let doneCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var threadsStarted = 0  // guarded by `mutex`

  // The published job.
  private var body: ((Int, Int) -> Void)?
  private var itemCount = 0

  /// How long a waiting thread spins on PAUSE alone.
  private static let busySpinNanoseconds: UInt64 = 4_000
  /// How long a waiting thread keeps checking (yielding the core in between) before sleeping.
  private static let spinNanoseconds: UInt64 = 200_000

  private init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wakeCondition, nil)
    pthread_cond_init(doneCondition, nil)
  }

  /// Runs `work(item, worker)` for all items on up to `participants` threads (caller included),
  /// or serially when another region is already running.
  func run(count: Int, participants: Int, _ work: (Int, Int) -> Void) {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      for item in 0..<count { work(item, 0) }
      return
    }
    defer { busy.store(false, ordering: .releasing) }
    ensureThreads(participants - 1)

    withoutActuallyEscaping(work) { escapable in
      body = escapable
      itemCount = count
      nextItem.store(0, ordering: .relaxed)
      let generation = (state.load(ordering: .relaxed) >> Self.generationShift) + 1
      pthread_mutex_lock(mutex)
      state.store(
        (generation << Self.generationShift) | (participants << Self.participantShift),
        ordering: .releasing)
      pthread_cond_broadcast(wakeCondition)
      pthread_mutex_unlock(mutex)

      drainItems(worker: 0)
      // No more items: close the region and wait for the workers that joined it.
      let closed = state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing).newValue
      if closed & Self.fieldMask != 0 { waitForJoinedWorkers() }
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

  /// Spins until `done()` holds or the spin time runs out; returns whether it holds.
  private static func spin(until done: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
      for _ in 0..<16 {
        if done() { return true }
        lethe_cpu_relax()
      }
      let waited = DispatchTime.now().uptimeNanoseconds - start
      if waited > spinNanoseconds { return done() }
      if waited > busySpinNanoseconds { sched_yield() }
    }
  }

  private func waitForJoinedWorkers() {
    if Self.spin(until: { state.load(ordering: .acquiring) & Self.fieldMask == 0 }) { return }
    pthread_mutex_lock(mutex)
    while state.load(ordering: .acquiring) & Self.fieldMask != 0 {
      pthread_cond_wait(doneCondition, mutex)
    }
    pthread_mutex_unlock(mutex)
  }

  private func ensureThreads(_ needed: Int) {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while threadsStarted < needed {
      threadsStarted += 1
      let worker = threadsStarted
      let seen = state.load(ordering: .acquiring) >> Self.generationShift
      let thread = Thread { [self] in workerLoop(worker: worker, seen: seen) }
      thread.name = "lethe-worker-\(worker)"
      thread.start()
    }
  }

  private func workerLoop(worker: Int, seen start: Int) {
    var seen = start
    while true {
      seen = waitForGeneration(after: seen)
      if join(generation: seen, worker: worker) {
        drainItems(worker: worker)
        let left = state.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
        if left & Self.fieldMask == 0 && left & Self.closedBit != 0 {
          pthread_mutex_lock(mutex)
          pthread_cond_signal(doneCondition)
          pthread_mutex_unlock(mutex)
        }
      }
    }
  }

  /// Registers `worker` in region `generation` if it is still open and admits it.
  private func join(generation: Int, worker: Int) -> Bool {
    var current = state.load(ordering: .acquiring)
    while true {
      guard current >> Self.generationShift == generation, current & Self.closedBit == 0,
        worker < (current >> Self.participantShift) & Self.fieldMask
      else { return false }
      let (exchanged, actual) = state.compareExchange(
        expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
      if exchanged { return true }
      current = actual
    }
  }

  private func waitForGeneration(after seen: Int) -> Int {
    if Self.spin(until: { state.load(ordering: .acquiring) >> Self.generationShift != seen }) {
      return state.load(ordering: .acquiring) >> Self.generationShift
    }
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while state.load(ordering: .acquiring) >> Self.generationShift == seen {
      pthread_cond_wait(wakeCondition, mutex)
    }
    return state.load(ordering: .acquiring) >> Self.generationShift
  }
}
