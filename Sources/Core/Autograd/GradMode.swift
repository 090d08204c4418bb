/// Whether operations record the autograd graph. Recording is on by default; turn it off for
/// evaluation and parameter updates with `GradMode.withoutGrad { ... }`.
///
/// The flag is task-local (and so thread-safe under Swift 6): it applies to the closure and to
/// everything it calls synchronously, and to child tasks it creates.
public enum GradMode {
  @TaskLocal static var enabledLocal = true

  /// Whether operations on variables currently record the graph.
  public static var isEnabled: Bool { enabledLocal }

  /// Runs `body` without recording any graph.
  public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
    try $enabledLocal.withValue(false) { try body() }
  }

  /// Runs `body` with recording on (inside a `withoutGrad` region, say).
  public static func withGrad<T>(_ body: () throws -> T) rethrows -> T {
    try $enabledLocal.withValue(true) { try body() }
  }
}
