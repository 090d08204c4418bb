import Core
import Foundation

/// Lethe's own fuzz driver: runs a target on seeded mutations of its seed files, for a number of
/// executions or seconds. Deterministic for a given seed. Not coverage-guided (libFuzzer is, see
/// `Sources/lethe-fuzz`); it is what `make test` runs for a quick pass with no special build.
public struct MutationDriver {
  /// What one run did.
  public struct Report: Sendable {
    /// The target's name.
    public var target: String
    /// Inputs run (seeds included).
    public var executions: Int
    /// Wall-clock seconds.
    public var seconds: Double
    /// Executions per second.
    public var rate: Double { seconds > 0 ? Double(executions) / seconds : 0 }
  }

  /// The target being fuzzed.
  public let target: FuzzTarget
  /// Its valid seed files.
  public let seeds: [[UInt8]]

  /// A driver over `seeds` (at least one; an empty file stands in when there are none).
  public init(target: FuzzTarget, seeds: [[UInt8]]) {
    self.target = target
    self.seeds = seeds.isEmpty ? [[]] : seeds
  }

  /// Runs every seed, then mutations, until `executions` inputs or `seconds` have passed
  /// (whichever comes first). An input that throws an unexpected error ends the process with a
  /// message after saving it like a crash.
  public func run(executions: Int, seconds: Double, seed: UInt64) -> Report {
    var mutator = Mutator(seed: seed)
    var rng = RandomGenerator(seed: seed ^ 0x5EED)
    let start = CrashGuard.now()
    var done = 0
    while done < executions {
      let input: [UInt8]
      if done < seeds.count {
        input = seeds[done]
      } else {
        input = mutator.mutate(seeds[rng.nextInt(below: seeds.count)], other: seeds[rng.nextInt(below: seeds.count)])
      }
      CrashGuard.begin(input)
      let problem = target.run(input)
      CrashGuard.end()
      if let problem {
        FileHandle.standardError.write(Data("lethe-fuzz: \(target.name): \(problem)\n".utf8))
        abort()  // the crash handler saves the input
      }
      done += 1
      if done % 256 == 0 && CrashGuard.now() - start > seconds { break }
    }
    return Report(target: target.name, executions: done, seconds: CrashGuard.now() - start)
  }
}
