import Foundation

/// The few file-system calls the experiment code needs, in one place.
enum FileManagerShim {
  /// Creates `path` and its parents when missing.
  static func createDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
}
