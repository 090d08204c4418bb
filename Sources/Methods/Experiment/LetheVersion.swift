/// Lethe's version, recorded in every result line.
public enum LetheVersion {
  /// The version string (semantic versioning).
  public static let current = "0.1.0"
}
