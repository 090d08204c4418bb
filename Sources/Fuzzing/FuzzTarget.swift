/// One parser under fuzzing: feeds it bytes, as a file a user was handed, and returns normally
/// whether it parsed them or rejected them with one of Lethe's own errors. Anything else (a trap,
/// a hang, unbounded memory, or an error of an unexpected type, which would reach the user as a
/// raw dump) is a finding the drivers report.
public struct FuzzTarget: Sendable {
  /// The name drivers select it by, also its seed folder under `Tests/Fuzz/corpus`.
  public let name: String
  /// What it exercises, one line.
  public let summary: String
  /// Parses one input; throws only what `isExpected` accepts.
  let body: @Sendable ([UInt8]) throws -> Void
  /// Whether an error the body threw is a clear, expected rejection.
  let isExpected: @Sendable (Error) -> Bool

  /// A target: `body` parses one input; `isExpected` says which thrown errors are clear rejections.
  public init(
    name: String, summary: String, isExpected: @escaping @Sendable (Error) -> Bool,
    body: @escaping @Sendable ([UInt8]) throws -> Void
  ) {
    self.name = name
    self.summary = summary
    self.isExpected = isExpected
    self.body = body
  }

  /// Runs one input. Returns a description of the unexpected error when there was one; traps,
  /// hangs and memory exhaustion are left to the driver to catch.
  public func run(_ input: [UInt8]) -> String? {
    do {
      try body(input)
      return nil
    } catch {
      return isExpected(error) ? nil : "unexpected error \(type(of: error)): \(error)"
    }
  }

  /// What one input does, for people: "parsed", "rejected: <the error>" or "UNEXPECTED …".
  public func outcome(_ input: [UInt8]) -> String {
    do {
      try body(input)
      return "parsed"
    } catch {
      return isExpected(error) ? "rejected: \(error)" : "UNEXPECTED \(type(of: error)): \(error)"
    }
  }
}
