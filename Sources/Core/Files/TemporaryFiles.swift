import Foundation

/// Removes the temporaries a killed writer left in a folder Lethe owns (a cache). Only names Lethe
/// writes are considered: `AtomicFile`'s `<name>.tmp-lethe-<pid>-<random>`, and those of earlier
/// versions (`<name>.tmp<pid>`, and Foundation's `.dat.nosync<pid>.<random>` from atomic writes).
/// A temporary is stale when its writer is no longer running (or the file has not changed for a
/// day, for a writer on another machine or in another process namespace) and it has not changed
/// for `minimumAge` seconds, so a live writer's file is never removed.
public enum TemporaryFiles {
  /// Removes stale temporaries directly inside `folder`; returns the paths removed. A folder
  /// that cannot be listed is left alone.
  @discardableResult
  public static func removeStale(in folder: String, minimumAge: TimeInterval = 60) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    var removed: [String] = []
    let now = Date().timeIntervalSince1970
    for name in names {
      guard let pid = writer(of: name) else { continue }
      let path = folder + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
      let age = now - Double(info.st_mtim.tv_sec)
      guard age >= minimumAge, !isRunning(pid) || age >= 86_400 else { continue }
      if unlink(path) == 0 { removed.append(path) }
    }
    return removed
  }

  /// The writer's process id when `name` is a temporary Lethe writes, else nil.
  static func writer(of name: String) -> Int32? {
    if let r = name.range(of: AtomicFile.marker, options: .backwards) {
      return Int32(name[r.upperBound...].prefix(while: { $0 != "-" }))
    }
    if name.hasPrefix(".dat.nosync") {
      return Int32(name.dropFirst(".dat.nosync".count).prefix(while: { $0 != "." }))
    }
    if let r = name.range(of: ".ldset.tmp", options: .backwards) {
      return Int32(name[r.upperBound...])
    }
    return nil
  }

  /// True when a process with this id exists on this machine.
  static func isRunning(_ pid: Int32) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }
}
