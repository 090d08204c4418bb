import LetheKernels
import Synchronization

/// The cost of one parallel region (wake the workers, run trivial items, wait), in microseconds,
/// and how evenly items spread. Printed only; not part of the JSON.
func parallelBenchmark(_ report: BenchReport) {
  report.section("Parallel regions (\(Parallel.threadCount) threads)")
  let perWorker = UnsafeMutableBufferPointer<Int>.allocate(capacity: 256 * 16)
  perWorker.initialize(repeating: 0)
  defer { perWorker.deallocate() }
  let regions = 2000
  let seconds = secondsOf {
    for _ in 0..<regions {
      Parallel.forEachWorker(count: 8, threads: Parallel.threadCount) { _, worker in
        perWorker[worker] += 1
      }
    }
  }
  report.line(
    report.pad("empty region, 8 items", 28) + String(format: "%.2f µs", seconds / Double(regions) * 1e6))
  let shares = (0..<Parallel.threadCount).map { String(perWorker[$0]) }.joined(separator: " / ")
  report.line(report.pad("items per worker", 28) + shares)

  // Items of FMA chains of a few sizes: the time per region against the serial time shows the
  // speed-up a kernel of that grain gets.
  for iterations in [500, 2_000, 10_000] {
    perWorker.update(repeating: 0)
    let sink = Atomic<Int>(0)
    let work: (Int) -> Void = { _ in
      if PeakFlops.chains(iterations: iterations) == .infinity { sink.add(1, ordering: .relaxed) }
    }
    let serial = secondsOf { for i in 0..<400 { work(i) } }
    let parallel = secondsOf {
      for _ in 0..<50 {
        Parallel.forEachWorker(count: 8, threads: Parallel.threadCount) { item, worker in
          perWorker[worker * 16] += 1
          work(item)
        }
      }
    }
    report.line(report.pad("8 items of ~\(Int(serial / 400 * 1e6)) µs", 28)
      + String(format: "speed-up %.2f×", serial / parallel) + "  items per worker "
      + (0..<Parallel.threadCount).map { String(perWorker[$0 * 16]) }.joined(separator: " / "))
  }
}
