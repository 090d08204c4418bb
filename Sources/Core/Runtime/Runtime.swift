import LetheKernels

/// Process-wide settings of the tensor kernels, for the layers above Core (Host and Methods do
/// not import LetheKernels): the thread count and the allocator tuning. Each is stored once, in
/// LetheKernels; this is only its facade. (The convolution policy is a value that models keep:
/// `ConvPolicy`, `Models.Options.convPolicy`.)
public enum Runtime {
  /// How many threads parallel kernels use, the caller included (default: the cores this process
  /// may run on; `--threads` and `lethe.threads(n)` set it). Clamped to 1...256.
  public static var threads: Int {
    get { Parallel.threadCount }
    set { Parallel.threadCount = newValue }
  }

  /// Sets glibc's allocator up for a process that allocates and frees the same large tensors
  /// every training step (every block from the heap, freed memory kept; see `AllocatorTuning`),
  /// unless `LETHE_MALLOC=system`. Executables call it once at start-up, before other threads
  /// allocate; tensors call it on their first large allocation. Returns whether it applied.
  @discardableResult
  public static func tuneAllocator() -> Bool {
    AllocatorTuning.keepFreedMemory()
  }
}
