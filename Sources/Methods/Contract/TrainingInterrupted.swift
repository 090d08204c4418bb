/// Thrown when a user's interrupt (Ctrl-C) stops training between batches.
public struct TrainingInterrupted: Error, CustomStringConvertible {
  /// An interruption.
  public init() {}
  /// "interrupted".
  public var description: String { "interrupted" }
}
