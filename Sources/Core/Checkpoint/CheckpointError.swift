/// A checkpoint that cannot be written or does not fit the model: the file and the problem.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
  /// The file's path.
  public var file: String
  /// What is wrong.
  public var message: String

  /// An error about `file`.
  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }

  /// "file: problem".
  public var description: String { "\(file): \(message)" }
}
