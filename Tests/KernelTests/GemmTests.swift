import XCTest
@testable import LetheKernels

/// Both GEMM backends against a double-precision reference.
final class GemmTests: XCTestCase {
  /// A shape with its storage layout and scalars.
  struct Case: CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var transA = false, transB = false
    var alpha: Float = 1, beta: Float = 0
    /// Extra columns in each leading dimension beyond the minimum.
    var pad = 0
    var description: String {
      "\(m)×\(n)×\(k) tA=\(transA) tB=\(transB) α=\(alpha) β=\(beta) pad=\(pad)"
    }
  }

  /// Runs one case on `backend` (once per entry of `threadCounts`) and compares with the
  /// reference; the padding columns of C must be left untouched.
  func check(_ t: Case, backend: Gemm.Backend, threadCounts: [Int?] = [nil], seed: UInt64 = 1) {
    var rng = SplitMix(seed: seed &+ UInt64(t.m * 7919 + t.n * 31 + t.k))
    let aRows = t.transA ? t.k : t.m, aCols = t.transA ? t.m : t.k
    let bRows = t.transB ? t.n : t.k, bCols = t.transB ? t.k : t.n
    let lda = max(1, aCols + t.pad), ldb = max(1, bCols + t.pad), ldc = max(1, t.n + t.pad)
    let a = (0..<(aRows * lda)).map { _ in rng.nextFloat() }
    let b = (0..<(bRows * ldb)).map { _ in rng.nextFloat() }
    let c0 = (0..<(t.m * ldc)).map { _ in rng.nextFloat() }
    // Reference values and the scale of their rounding error, in double precision.
    var want = [Double](repeating: 0, count: t.m * t.n), scale = want
    for i in 0..<t.m {
      for j in 0..<t.n {
        var sum = 0.0, magnitude = 0.0
        for p in 0..<t.k {
          let av = Double(t.transA ? a[p * lda + i] : a[i * lda + p])
          let bv = Double(t.transB ? b[j * ldb + p] : b[p * ldb + j])
          sum += av * bv
          magnitude += abs(av * bv)
        }
        let old = Double(c0[i * ldc + j])
        want[i * t.n + j] = Double(t.alpha) * sum + (t.beta == 0 ? 0 : Double(t.beta) * old)
        scale[i * t.n + j] = abs(Double(t.alpha)) * magnitude + abs(Double(t.beta) * old) + 1e-6
      }
    }
    for threads in threadCounts {
      var c = c0
      Gemm.sgemm(
        backend: backend, transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k,
        alpha: t.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: t.beta, c: &c, ldc: ldc,
        threads: threads)
      var worst = 0.0
      for i in 0..<t.m {
        for j in t.n..<ldc where c[i * ldc + j] != c0[i * ldc + j] {
          XCTFail("\(backend) \(t): padding column \(j) of row \(i) changed")
        }
        for j in 0..<t.n {
          let error = abs(Double(c[i * ldc + j]) - want[i * t.n + j]) / scale[i * t.n + j]
          worst = max(worst, error)
        }
      }
      XCTAssertLessThan(worst, 1e-5, "\(backend) \(t) threads \(threads.map(String.init) ?? "default")")
    }
  }

  func cases() -> [Case] {
    var all: [Case] = [
      Case(m: 1, n: 1, k: 1), Case(m: 1, n: 1, k: 0, beta: 0.5), Case(m: 3, n: 5, k: 0),
      Case(m: 0, n: 4, k: 3), Case(m: 4, n: 0, k: 3),
      Case(m: 17, n: 33, k: 65), Case(m: 12, n: 32, k: 256), Case(m: 13, n: 31, k: 257),
      Case(m: 1, n: 100, k: 37), Case(m: 100, n: 1, k: 37), Case(m: 64, n: 9, k: 300),
      Case(m: 200, n: 70, k: 520), Case(m: 7, n: 300, k: 3),
      // Last row panels of 8 and 4 rows (the 8- and 4-row kernels), full and partial columns.
      Case(m: 32, n: 64, k: 20, beta: 0.5), Case(m: 64, n: 70, k: 33, transA: true),
      Case(m: 3, n: 64, k: 10),
    ]
    for ta in [false, true] {
      for tb in [false, true] {
        all.append(Case(m: 29, n: 45, k: 23, transA: ta, transB: tb, alpha: -1.5, beta: 0.75, pad: 3))
        all.append(Case(m: 37, n: 70, k: 300, transA: ta, transB: tb, alpha: 0.5, beta: 1, pad: 5))
      }
    }
    all.append(Case(m: 5, n: 6, k: 7, alpha: 0, beta: 2))
    return all
  }

  func testSwiftBackendMatchesReference() {
    for t in cases() { check(t, backend: .swift) }
  }

  func testBLASBackendMatchesReference() {
    for t in cases() { check(t, backend: .blas) }
  }

  /// Large enough to use several threads, several k blocks and row blocks, with edge tiles.
  func testSwiftBackendMultithreadedShapes() {
    let shapes = [
      Case(m: 150, n: 130, k: 600), Case(m: 400, n: 45, k: 70, transA: true),
      Case(m: 24, n: 4200, k: 40, transB: true, beta: 0.5, pad: 2),
      Case(m: 97, n: 200, k: 300, transA: true, transB: true, alpha: 2, beta: -1),
      // Small C, long k: the depth is split across threads and summed.
      Case(m: 20, n: 30, k: 1000, transB: true, alpha: 0.5, beta: 2, pad: 3),
      Case(m: 33, n: 9, k: 2000, transA: true),
      // Two even items per block, but each block too small to repay a fork/join: split k.
      Case(m: 48, n: 64, k: 800, transB: true, beta: 0.5),
      // Nine column panels: two or three chunks (one per thread).
      Case(m: 13, n: 288, k: 800, transB: true, beta: 1),
      // Two row blocks (4096 + 4) and two equal depth blocks (195 + 195).
      Case(m: 4100, n: 3, k: 390, transA: true, beta: 0.25),
    ]
    for t in shapes { check(t, backend: .swift, threadCounts: [2, 3, 1]) }
  }

  /// Shapes that exercise the lazily packed, shared A panels: several column chunks reading the
  /// same A panels concurrently (two items per thread from 2^26 multiply-adds on), row splits
  /// (narrow n), equal k blocks (k = 385 → 193 + 192, 770 → 257 + 257 + 256), tiny k on the parallel
  /// path, and beta 0 / 1 / other on every one.
  func testSwiftBackendLazyPackingShapes() {
    let shapes = [
      Case(m: 96, n: 1000, k: 700, beta: 0.5),  // just over 2^26: two items per thread
      Case(m: 100, n: 500, k: 400, transA: true, transB: true, alpha: -1, beta: 1, pad: 1),
      Case(m: 300, n: 100, k: 64, transB: true),
      Case(m: 301, n: 40, k: 385, transA: true, beta: -2),
      Case(m: 130, n: 260, k: 770, alpha: 0.25, beta: 1),
      Case(m: 500, n: 600, k: 4, transA: true, transB: true, beta: 0.5),
      Case(m: 480, n: 480, k: 1, beta: 1, pad: 2),
    ]
    for t in shapes { check(t, backend: .swift, threadCounts: [2, 3, 4, 1]) }
  }

  /// Each block's work items cover every (A micro-panel, B panel) pair exactly once, and no
  /// chunk is wider than the per-worker B buffer.
  func testWorkPlanCoversEveryTileOnce() {
    let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
    for (m, n, threads, work) in [
      (1, 1, 1, 1), (12, 32, 2, 1 << 20), (300, 100, 2, 1 << 21), (300, 100, 3, 1 << 21),
      (100, 1000, 2, 1 << 26), (4096, 2048, 2, 1 << 33), (64, 6912, 2, 1 << 27),
      (13, 288, 3, 1 << 22), (4100, 3, 4, 1 << 22), (128, 100, 2, 1 << 21),
    ] {
      let plan = GemmSwiftDriver.WorkPlan(m: m, n: n, threads: threads, work: work)
      let rowPanels = (m + mr - 1) / mr
      var hits = [Int](repeating: 0, count: rowPanels * plan.columnPanels)
      for item in 0..<plan.items {
        let split = item / plan.columnChunks
        let panels = plan.panels(chunk: item % plan.columnChunks)
        XCTAssertLessThanOrEqual(panels.count * nr, plan.chunkColumns, "\(m)×\(n) on \(threads)")
        for ap in (split * rowPanels / plan.rowSplits)..<((split + 1) * rowPanels / plan.rowSplits) {
          for q in panels { hits[ap * plan.columnPanels + q] += 1 }
        }
      }
      XCTAssertTrue(hits.allSatisfy { $0 == 1 }, "\(m)×\(n) on \(threads) threads: \(plan)")
      if threads > 1 && rowPanels >= 2 * threads {
        XCTAssertGreaterThanOrEqual(plan.items, threads, "\(m)×\(n): every thread gets an item")
      }
    }
  }

  /// With beta = 0, C is written without being read, as BLAS specifies.
  func testBetaZeroIgnoresNaNInC() {
    for backend in Gemm.Backend.allCases {
      let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 0, 0, 1]
      var c = [Float](repeating: .nan, count: 4)
      Gemm.sgemm(
        backend: backend, transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1,
        a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
      XCTAssertEqual(c, [1, 2, 3, 4], "\(backend)")
    }
    // The multithreaded path with edge tiles (53 = 4·12 + 5 rows, 77 = 2·32 + 13 columns).
    let (m, n, k) = (53, 77, 600)
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    for threads in [1, 2] {
      var c = [Float](repeating: .nan, count: m * n)
      Gemm.sgemm(
        backend: .swift, transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
        b: b, ldb: n, beta: 0, c: &c, ldc: n, threads: threads)
      XCTAssertTrue(c.allSatisfy { $0 == 75 }, "threads \(threads)")
    }
  }

  func testBackendChoiceHonoursOverrideAndExplainsItself() {
    XCTAssertEqual(GemmBackendChoice.make(environment: "blas").backend, .blas)
    XCTAssertEqual(GemmBackendChoice.make(environment: "SWIFT").backend, .swift)
    let bogus = GemmBackendChoice.make(environment: "fast")
    XCTAssertTrue(bogus.reason.contains("ignored"), bogus.reason)
    XCTAssertFalse(Gemm.backendReason.isEmpty)
    if GemmBackendChoice.preAVX2Cores.contains(Gemm.openBLASCoreName.lowercased()),
      GemmBackendChoice.hostVectorISA() != nil, ProcessInfo.processInfo.environment["LETHE_GEMM"] == nil
    {
      XCTAssertEqual(Gemm.backend, .swift, Gemm.backendReason)
    }
  }

  /// The choice depends only on the CPU, so every process on a machine sums in the same order.
  func testBackendChoiceIsARuleOfTheCPUNotATiming() {
    XCTAssertEqual(GemmBackendChoice.choose(core: "Cooperlake", vectorISA: "AVX-512").backend, .swift)
    XCTAssertEqual(GemmBackendChoice.choose(core: "Prescott", vectorISA: "AVX2").backend, .swift)
    XCTAssertEqual(GemmBackendChoice.choose(core: "Haswell", vectorISA: "AVX2").backend, .blas)
    XCTAssertEqual(GemmBackendChoice.choose(core: "Prescott", vectorISA: nil).backend, .blas)
    let first = GemmBackendChoice.make(environment: nil)
    for _ in 0..<3 { XCTAssertEqual(GemmBackendChoice.make(environment: nil).backend, first.backend) }
  }
}

/// A tiny seeded generator for test data (values in [-1, 1)).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}

/// The AVX-512 packing paths against the scalar ones, on partial panels and odd depths.
final class GemmPackingTests: XCTestCase {
  /// The first index where the buffers differ (NaN marks unwritten slots and equals NaN; the sign
  /// of zero padding may differ), or nil.
  func firstMismatch(_ x: [Float], _ y: [Float]) -> Int? {
    x.indices.first { !(x[$0] == y[$0] || (x[$0].isNaN && y[$0].isNaN)) }
  }

  func testVectorizedPackingMatchesScalar() throws {
    try XCTSkipUnless(GemmPacking.useAVX512, "no AVX-512 on this CPU")
    var rng = SplitMix(seed: 7)
    let source = (0..<(70 * 90)).map { _ in rng.nextFloat() }
    let size = 4096
    for trans in [false, true] {
      for (rows, cols) in [(0..<12, 0..<16), (3..<28, 5..<38), (10..<17, 1..<70), (0..<1, 0..<1)] {
        var fast = [Float](repeating: .nan, count: size), slow = fast
        GemmPacking.packA(
          transA: trans, a: source, lda: 90, rows: rows, cols: cols, alpha: -0.5, into: &fast,
          vectorized: true)
        GemmPacking.packA(
          transA: trans, a: source, lda: 90, rows: rows, cols: cols, alpha: -0.5, into: &slow,
          vectorized: false)
        XCTAssertNil(firstMismatch(fast, slow), "A trans \(trans) \(rows) \(cols)")
      }
      let bCases = [(0..<16, 0, 32, 0..<1), (3..<40, 5, 70, 0..<3), (0..<1, 60, 61, 0..<1)]
      for (depth, first, last, panels) in bCases {
        var fast = [Float](repeating: .nan, count: size), slow = fast
        GemmPacking.packB(
          transB: trans, b: source, ldb: 90, depth: depth, firstColumn: first, lastColumn: last,
          panels: panels, into: &fast, vectorized: true)
        GemmPacking.packB(
          transB: trans, b: source, ldb: 90, depth: depth, firstColumn: first, lastColumn: last,
          panels: panels, into: &slow, vectorized: false)
        XCTAssertNil(firstMismatch(fast, slow), "B trans \(trans) \(depth) \(first)")
      }
    }
  }
}

/// `sgemmBatched` equals one `sgemm` per batch entry, shared operands included.
final class GemmBatchedTests: XCTestCase {
  func testBatchedMatchesLoopOfSingleProducts() {
    var rng = SplitMix(seed: 11)
    let batch = 5, m = 9, n = 40, k = 17
    let a = (0..<(m * k)).map { _ in rng.nextFloat() }  // shared: strideA 0
    let b = (0..<(batch * k * n)).map { _ in rng.nextFloat() }
    let c0 = (0..<(batch * m * n)).map { _ in rng.nextFloat() }
    for backend in Gemm.Backend.allCases {
      for threads in [1, 2] {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        var batched = c0, looped = c0
        Gemm.sgemmBatched(
          batch: batch, transA: false, transB: false, m: m, n: n, k: k, alpha: 0.5, a: a, lda: k,
          strideA: 0, b: b, ldb: n, strideB: k * n, beta: -1, c: &batched, ldc: n, strideC: m * n,
          backend: backend)
        for i in 0..<batch {
          b.withUnsafeBufferPointer { bp in
            looped.withUnsafeMutableBufferPointer { cp in
              Gemm.sgemm(
                backend: backend, transA: false, transB: false, m: m, n: n, k: k, alpha: 0.5,
                a: a, lda: k, b: bp.baseAddress! + i * k * n, ldb: n, beta: -1,
                c: cp.baseAddress! + i * m * n, ldc: n, threads: 1)
            }
          }
        }
        let worst = zip(batched, looped).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5, "\(backend) threads \(threads)")
      }
    }
  }
}
