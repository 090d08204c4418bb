import Foundation

/// Where Lua method scripts are loaded from, in order: the paths given with `--methods`, every
/// entry of `$LETHE_METHODS` (colon-separated), then the methods folder of this installation of
/// Lethe. An entry is a folder (its `*.lua` files, sorted) or a single `.lua` file.
///
/// The installation's folder is `share/lethe/methods` beside the executable's `bin` folder (an
/// installed Lethe), else `scripts/lua/methods` of the source tree the executable was built in
/// (found from the executable's own location, or from the sources it was compiled from). It is
/// never looked for from the working directory: starting `lethe` inside some other project must
/// not run that project's scripts.
enum MethodsPath {
  /// Method scripts or folders given with `--methods`, searched first. `nonisolated(unsafe)`:
  /// written once by the command line before any Lua state starts.
  nonisolated(unsafe) static var explicit: [String] = []

  /// The `scripts/lua/methods` folder of this installation, if there is one.
  static func installationFolder() -> String? {
    let fm = FileManager.default
    var starts: [String] = []
    if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      let bin = (exe as NSString).deletingLastPathComponent
      let installed = ((bin as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent("share/lethe/methods")
      if isDirectory(installed) { return installed }
      starts.append(bin)
    }
    // This file is <root>/Sources/Host/Bindings/MethodsPath.swift in the tree Lethe was built from.
    starts.append((#filePath as NSString).deletingLastPathComponent)
    for start in starts {
      var dir = (start as NSString).standardizingPath
      while dir != "/" && !dir.isEmpty {
        let methods = dir + "/scripts/lua/methods"
        if isFile(dir + "/Package.swift") && isDirectory(methods) { return methods }
        dir = (dir as NSString).deletingLastPathComponent
      }
    }
    return nil
  }

  /// The entries searched, in order, without repeats.
  static func entries(
    explicit: [String] = MethodsPath.explicit,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String] {
    var list = explicit
    list += (environment["LETHE_METHODS"] ?? "").split(separator: ":").map(String.init)
    if let own = installationFolder() { list.append(own) }
    var seen = Set<String>()
    return list.filter { !$0.isEmpty }.map(absolute).filter { seen.insert($0).inserted }
  }

  /// Every method script on the path: each file entry, and each folder's `*.lua` files sorted by
  /// name; a file name already seen in an earlier folder is skipped (earlier entries override
  /// later ones).
  static func files(
    explicit: [String] = MethodsPath.explicit,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String] {
    var names = Set<String>()
    var out: [String] = []
    for entry in entries(explicit: explicit, environment: environment) {
      if isFile(entry) {
        if names.insert((entry as NSString).lastPathComponent).inserted { out.append(entry) }
        continue
      }
      guard let listing = try? FileManager.default.contentsOfDirectory(atPath: entry) else { continue }
      for name in listing.sorted() where name.hasSuffix(".lua") && names.insert(name).inserted {
        out.append(entry + "/" + name)
      }
    }
    return out
  }

  static func isFile(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && !directory.boolValue
  }

  static func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
  }

  /// `path` made absolute (against the working directory) and standardised.
  static func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (full as NSString).standardizingPath
  }
}
