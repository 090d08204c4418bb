import Core
import Methods

/// A survey profile laid out for this installation: the sweeps to run over the datasets that are
/// present with the methods that are registered, and what was left out and why.
public struct SurveyPlan: Sendable {
  /// The datasets of `catalog` that are absent, with how to get each (what `make` leaves out).
  public static func absentDatasets(_ catalog: DatasetCatalog = DatasetCatalog()) -> [String: String] {
    Dictionary(catalog.list().filter { !$0.isPresent }.map { ($0.name, $0.howToGet) }, uniquingKeysWith: { a, _ in a })
  }

  /// A dataset the profile wanted but could not find.
  public struct Skipped: Sendable, Equatable {
    /// Its catalog name.
    public var name: String
    /// How to get it.
    public var howToGet: String
  }

  /// The profile.
  public var profile: SurveyProfile
  /// The output folder: `results.jsonl`, `cache/`, `report/`.
  public var directory: String
  /// The sweeps, in order; they share one results file and one model cache.
  public var sweeps: [ExperimentPlan]
  /// The survey methods scheduled (registered here).
  public var methods: [String]
  /// The survey methods not registered here (left out, with a note).
  public var absentMethods: [String]
  /// Every way the profile departs from the survey's own settings.
  public var reductions: [String]
  /// Datasets left out because they are absent.
  public var skipped: [Skipped]
  /// Whether the data are synthetic stand-ins.
  public var synthetic: Bool
  /// A display name for each dataset spec (canonical) scheduled.
  public var datasetTitles: [String: String]

  /// `directory/results.jsonl`.
  public var resultsPath: String { directory + "/results.jsonl" }
  /// `directory/report`.
  public var reportDirectory: String { directory + "/report" }
  /// `directory/cache`.
  public var cacheDirectory: String { directory + "/cache" }

  /// The plan of `profile` writing into `directory`, with the methods of `registry`, leaving out
  /// the datasets `absent` names (catalog name → how to get it).
  public static func make(
    _ profile: SurveyProfile, directory: String, registry: MethodRegistry, absent: [String: String] = [:]
  ) throws -> SurveyPlan {
    let registered = Set(registry.descriptors.map(\.name))
    let methods = SurveyProfile.methods.filter(registered.contains)
    let unregistered = SurveyProfile.methods.filter { !registered.contains($0) }
    let layout = profile.layout
    var sweeps: [ExperimentPlan] = []
    var skipped: [Skipped] = []
    var titles: [String: String] = [:]
    var tabularNotes: [String] = []
    for group in layout.groups {
      var pairs: [Schedule.Pair] = []
      for p in group.pairs {
        if let how = absent[p.dataset.name] {
          if !skipped.contains(where: { $0.name == p.dataset.name }) {
            skipped.append(Skipped(name: p.dataset.name, howToGet: how))
          }
          continue
        }
        pairs.append(Schedule.Pair(p.dataset, p.model))
        titles[p.dataset.canonical] = p.title
      }
      guard !pairs.isEmpty else { continue }
      let everyScenario = group.scenarios + group.labelCounts
      let labelScenarios = everyScenario.filter { $0.name != "sample" }
      let tabular = pairs.allSatisfy { $0.model.name == "mlp" }
      let applicable = methods.filter { !(tabular && SurveyProfile.imageOnlyMethods.contains($0)) }
      if applicable.count < methods.count {
        let names = methods.filter { !applicable.contains($0) }.joined(separator: ", ")
        let note = "\(names) left out on tabular data (\(pairs.map(\.dataset.name).joined(separator: ", "))): images only"
        if !tabularNotes.contains(note) { tabularNotes.append(note) }
      }
      let general = applicable.filter { !SurveyProfile.labelOnlyMethods.contains($0) }
      let labelOnly = applicable.filter(SurveyProfile.labelOnlyMethods.contains)
      for (list, scenarios) in [(general, everyScenario), (labelOnly, labelScenarios)] where !list.isEmpty {
        var plan = ExperimentPlan(
          schedule: Schedule(
            pairs: pairs, trainings: [group.training], scenarios: scenarios, methods: list.map { NamedSpec($0, group.methodOptions[$0] ?? [:]) },
            seeds: layout.seeds),
          resultsPath: directory + "/results.jsonl", cacheDirectory: directory + "/cache", reportDirectory: nil,
          metrics: try MetricOptions.from(layout.metrics), metricsGiven: layout.metrics)
        // Every survey method watches every M0 (a method's preparation rides on the shared M0).
        plan.scheduledMethods = methods
        sweeps.append(plan)
      }
    }
    var reductions = layout.reductions + tabularNotes
    if !unregistered.isEmpty {
      reductions.append("methods not registered in this build, left out: " + unregistered.joined(separator: ", "))
    }
    return SurveyPlan(
      profile: profile, directory: directory, sweeps: sweeps, methods: methods, absentMethods: unregistered,
      reductions: reductions, skipped: skipped, synthetic: profile == .smoke, datasetTitles: titles)
  }
}

extension SurveyPlan {
  /// What the plan will do, for the terminal before it starts: methods, datasets, what it left
  /// out and reduced.
  public var summaryLines: [String] {
    var lines = ["survey profile \(profile.rawValue) → \(directory)"]
    lines.append("methods (\(methods.count)): " + methods.joined(separator: ", "))
    if !absentMethods.isEmpty {
      lines.append("not registered in this build, left out: " + absentMethods.joined(separator: ", "))
    }
    var pairs: [String] = []
    for sweep in sweeps {
      for p in sweep.schedule.combinations {
        let text = "\(datasetTitles[p.dataset.canonical] ?? p.dataset.canonical) with \(p.model.canonical)"
        if !pairs.contains(text) { pairs.append(text) }
      }
    }
    lines.append("datasets: " + pairs.joined(separator: "; "))
    for s in skipped { lines.append("skipped \(s.name) (absent): \(s.howToGet)") }
    for r in reductions { lines.append("reduction: \(r)") }
    return lines
  }
}
