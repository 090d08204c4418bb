/// Lethe's version: the one version string of the project, printed by `lethe version` and
/// `lethe.version()`, recorded in every result line and written into every checkpoint.
public enum LetheVersion {
  /// The version string (semantic versioning).
  public static let current = "0.1.0"
}
