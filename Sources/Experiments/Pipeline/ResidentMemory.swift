import Foundation

/// The process's resident memory, for a per-run measure of what a phase needed: Linux reports
/// the current resident set (`VmRSS`) and its peak (`VmHWM`) in `/proc/self/status`, and
/// writing `5` to `/proc/self/clear_refs` resets the peak to the current value (Linux ≥ 4.0).
/// `getrusage`'s `ru_maxrss` cannot be reset, so it would only show a phase that sets a new
/// process-wide record. Elsewhere every value is nil and nothing is recorded.
enum ResidentMemory {
  /// A measurement of one phase: the peak resident set while it ran and how far that peak rose
  /// above the resident set when it started, in bytes.
  struct Phase {
    var peakBytes: Int
    var growthBytes: Int
  }

  /// Runs `body` and measures its resident-memory peak (nil where the kernel cannot say).
  static func measure<T>(_ body: () throws -> T) rethrows -> (T, Phase?) {
    let reset = resetPeak()
    let start = value("VmRSS")
    let result = try body()
    guard reset, let start, let peak = value("VmHWM") else { return (result, nil) }
    return (result, Phase(peakBytes: peak, growthBytes: max(0, peak - start)))
  }

  /// Resets the kernel's peak to the current resident set; false when that is not possible.
  static func resetPeak() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    do {
      try handle.write(contentsOf: Data("5".utf8))
      return true
    } catch {
      return false
    }
  }

  /// A `kB` field of `/proc/self/status`, in bytes.
  static func value(_ field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
      let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
      return Int(digits).map { $0 * 1024 }
    }
    return nil
  }
}
