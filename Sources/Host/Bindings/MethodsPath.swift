import Core
import Foundation

/// Where Lua method scripts are loaded from, in order: every folder of `$LETHE_METHODS`
/// (colon-separated), then `scripts/lua/methods` of the project (found as the dataset catalogue
/// finds it: above the working directory, the executable, or the sources).
enum MethodsPath {
  /// The folders searched.
  static func folders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    var dirs = (environment["LETHE_METHODS"] ?? "").split(separator: ":").map(String.init)
    dirs += DatasetCatalog.projectRoots().map { $0 + "/scripts/lua/methods" }
    var seen = Set<String>()
    return dirs.map { ($0 as NSString).standardizingPath }.filter { seen.insert($0).inserted }
  }

  /// Every `*.lua` file in those folders, sorted by name within each folder; a name already seen
  /// in an earlier folder is skipped (earlier folders override later ones).
  static func files(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    var names = Set<String>()
    var out: [String] = []
    for dir in folders(environment: environment) {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
      for name in entries.sorted() where name.hasSuffix(".lua") && names.insert(name).inserted {
        out.append(dir + "/" + name)
      }
    }
    return out
  }
}
