import CLetheKernels
import Foundation

/// glibc allocator settings for a process that allocates and frees the same large tensors on
/// every training step.
///
/// By default glibc serves blocks above its mmap threshold (at most 32 MiB: ResNet-18's 32×32
/// activations at batch 128 are just over it) with fresh `mmap`s and trims freed memory at the
/// top of the heap back to the system, so every step page-faults its activations in again and
/// the kernel zeroes those pages. Served from the heap and kept, the same blocks are reused.
/// Measured A/B in one process (`LETHE_BENCH_AB_B=system-malloc`): CNN step 0.90, ResNet-18 step
/// 0.94, eval 0.97. The cost: the process keeps its high-water mark of memory until it exits.
public enum AllocatorTuning {
  /// Every allocation from the heap, freed memory kept for reuse; `LETHE_MALLOC=system` keeps
  /// glibc's defaults. Call once at start-up, before other threads allocate. Returns whether the
  /// settings were applied.
  @discardableResult
  public static func keepFreedMemory() -> Bool {
    if ProcessInfo.processInfo.environment["LETHE_MALLOC"] == "system" { return false }
    return apply(keep: true)
  }

  /// Applies the settings (`keep`) or glibc's defaults (benchmarks time both in one process).
  @discardableResult
  public static func apply(keep: Bool) -> Bool {
    let mmap = mallopt(M_MMAP_MAX, keep ? 0 : 65536)
    // (glibc's default trim threshold is 128 KiB; setting either value fixes it.)
    let trim = mallopt(M_TRIM_THRESHOLD, keep ? Int32.max : 128 * 1024)
    return mmap == 1 && trim == 1
  }
}
