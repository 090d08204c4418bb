import ArgumentParser

/// `lethe data`: every dataset Lethe knows, whether it is present, and where.
struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data", abstract: "List every known dataset, whether it is present, and where.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    for line in DataListing.lines() { print(line) }
  }
}

/// `lethe methods`: the registered unlearning methods with their options and defaults.
struct MethodsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "methods", abstract: "List the unlearning methods with their options and defaults.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    global.applySettings()
    for line in MethodsListing.lines() { print(line) }
  }
}

/// What `lethe methods` prints; the methods library replaces `provider` with the registry's listing.
public enum MethodsListing {
  /// Produces the listing. `nonisolated(unsafe)`: set once at start-up, before commands run.
  nonisolated(unsafe) public static var provider: () -> [String] = { MethodsLibrary.listingLines() }

  static func lines() -> [String] { provider() }
}

/// What `lethe data` prints: one line per known dataset with its state and location.
enum DataListing {
  static func lines() -> [String] {
    DataBindings.catalogLines()
  }
}
