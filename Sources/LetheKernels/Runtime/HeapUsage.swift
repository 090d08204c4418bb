// glibc's <malloc.h> reaches Swift through the kernels' C module.
import CLetheKernels

/// What the C heap holds, for Core's memory limit (`MemoryLimit`): every tensor's storage and
/// the Lua heap are allocated there.
public enum HeapUsage {
  /// Bytes allocated and not freed (`mallinfo2`: arena blocks in use plus mmapped blocks).
  /// Freed memory the allocator keeps for reuse (see `AllocatorTuning`) is not counted.
  public static func bytesInUse() -> Int {
    let info = mallinfo2()
    return Int(clamping: info.uordblks) + Int(clamping: info.hblkhd)
  }
}
