// The sweep the resume test kills with SIGKILL: `lethe-sweep-kill-helper RESULTS [DELAY]` runs
// the eight runs of `Fixtures.schedule(methods: ["finetune", "neggrad"], seeds: [0, 1, 2, 3])`
// (ExperimentsTests) through the real `ExperimentRunner` and `ResultsFile`, each run held up
// DELAY seconds (0.4 by default) by a stand-in executor, so that the kill lands mid-sweep.
import Experiments
import Foundation
import Methods

/// Waits, then reports fixed metrics: the runner and the results file are what is under test.
final class SlowExecutor: RunExecutor {
  let delay: Double
  init(delay: Double) { self.delay = delay }
  func execute(_ run: RunIdentity) throws -> RunOutcome {
    Thread.sleep(forTimeInterval: delay)
    return RunOutcome(scenarioDigest: "digest-\(run.scenario.name)", forgetCount: 6, metrics: ["acc_test": 90])
  }
}

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
  FileHandle.standardError.write(Data("usage: lethe-sweep-kill-helper RESULTS [DELAY]\n".utf8))
  exit(2)
}
let delay = arguments.dropFirst().first.flatMap(Double.init) ?? 0.4
let schedule = Schedule(
  datasets: [NamedSpec("toy")], models: [NamedSpec("mlp")], trainings: [NamedSpec("default")],
  scenarios: [NamedSpec("sample", ["fraction": .number(0.01)])],
  methods: [NamedSpec("finetune"), NamedSpec("neggrad")], seeds: [0, 1, 2, 3])
do {
  try ExperimentRunner(executor: SlowExecutor(delay: delay), results: ResultsFile(path: path), threads: 1,
    progress: { _ in }).run(try schedule.runs { $0 })
} catch {
  FileHandle.standardError.write(Data("lethe-sweep-kill-helper: \(error)\n".utf8))
  exit(1)
}
