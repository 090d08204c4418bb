import Core
import Methods

/// The survey's unified experiment (its section 6, Table 10) at three sizes:
///
/// - `smoke`: two small synthetic Purchase-like tables with the MLP, every scenario kind, two
///   seeds — minutes on a laptop, part of `make test`; every result is labelled synthetic.
/// - `laptop`: real MNIST and Fashion-MNIST with the CNN and CIFAR-10 (JPEG) with ResNet-18, reduced
///   to fit two hours on two cores (a CIFAR-10 subset, few epochs, one seed); the datasets that
///   are absent (SVHN, Purchase, the ImageNet subset) are skipped and listed with how to get them.
/// - `full`: the survey's grid on every dataset, three seeds, for a cluster (`lethe plan` / `lethe
///   submit` on `scripts/lua/survey.lua`).
///
/// A profile is a set of sweeps (`ExperimentPlan`s) over dataset–model pairs that share one
/// results file and one model cache: one sweep per training configuration, and the label-only
/// methods (Linear Filtration) apart, scheduled on label scenarios only.
public enum SurveyProfile: String, Sendable, CaseIterable {
  case smoke
  case laptop
  case full

  /// The survey's methods (Table 11) by Lethe's names, in the survey's order of Table 13.
  public static let methods = [
    "retrain", "finetune", "unrolling_sgd", "sisa", "deltagrad", "unlearnable", "linear_filtration", "cr",
    "sekhari", "bad_teacher",
  ]
  /// Methods defined for label unlearning only: scheduled on label and label-count scenarios.
  public static let labelOnlyMethods: Set<String> = ["linear_filtration"]
  /// Methods defined for images only (`unlearnable` bounds its noise in pixel units): left out of
  /// the pairs with the MLP, which Table 10 gives Purchase's tabular features.
  public static let imageOnlyMethods: Set<String> = ["unlearnable"]

  /// The profile called `name`, or an error listing the valid names.
  public static func named(_ name: String) throws -> SurveyProfile {
    guard let p = SurveyProfile(rawValue: name) else {
      throw ExperimentError.unknownName(kind: "survey profile", name: name, valid: allCases.map(\.rawValue))
    }
    return p
  }

  /// One group of pairs trained alike.
  struct Group {
    var pairs: [(dataset: NamedSpec, model: NamedSpec, title: String)]
    var training: NamedSpec
    var labelCounts: [NamedSpec]
    /// Options given to survey methods on these pairs, by method name (a profile's reduction).
    var methodOptions: [String: [String: OptionValue]] = [:]
    /// The sample and label scenarios run on these pairs (a profile's reduction; default: all).
    var scenarios: [NamedSpec] = SurveyProfile.scenarios
  }

  /// The sample and label scenarios of every profile (the survey's 1/5/10% and 1/3 labels).
  static let scenarios: [NamedSpec] = [
    NamedSpec("sample", ["fraction": .number(0.01)]), NamedSpec("sample", ["fraction": .number(0.05)]),
    NamedSpec("sample", ["fraction": .number(0.1)]), NamedSpec("label", ["count": .number(1)]),
    NamedSpec("label", ["count": .number(3)]),
  ]

  static func training(epochs: Int, batch: Int, lr: Double) -> NamedSpec {
    NamedSpec(
      "default", ["epochs": .number(Double(epochs)), "batch_size": .number(Double(batch)), "lr": .number(lr)])
  }

  static func labelCounts(_ ks: [Int], kmeans: Bool = false) -> [NamedSpec] {
    ks.map { k in
      var o: [String: OptionValue] = ["classes": .number(Double(k))]
      if kmeans { o["relabel"] = .string("kmeans") }
      return NamedSpec("label_count", o)
    }
  }

  /// The groups of this profile, the seeds, the metric options, and what it reduced.
  var layout: (groups: [Group], seeds: [UInt64], metrics: [String: OptionValue], reductions: [String]) {
    let cnn = NamedSpec("cnn"), resnet = NamedSpec("resnet18")
    let mlp = NamedSpec("mlp", ["activation": .string("tanh")])
    switch self {
    case .smoke:
      let small = NamedSpec("mlp", ["hidden": .number(32), "activation": .string("tanh")])
      let a = NamedSpec(
        "purchase-synthetic",
        ["classes": .number(10), "train_count": .number(800), "test_count": .number(300), "seed": .number(0)])
      let b = NamedSpec(
        "purchase-synthetic",
        ["classes": .number(20), "train_count": .number(1200), "test_count": .number(400), "seed": .number(1)])
      return (
        [
          Group(
            pairs: [
              (a, small, "Purchase-like (synthetic, 10 classes)"), (b, small, "Purchase-like (synthetic, 20 classes)"),
            ], training: Self.training(epochs: 4, batch: 32, lr: 0.05),
            labelCounts: Self.labelCounts([2, 4, 6, 8], kmeans: true))
        ], [0, 1], [:],
        [
          "smoke profile: synthetic Purchase-like tables stand in for every dataset (results are synthetic)",
          "MLP with 32 hidden units; 4 epochs; 800 and 1,200 training samples",
          "label-count sweep K = 2, 4, 6, 8 (k-means relabelling)",
        ])
    case .laptop:
      // Two hours on two cores: the training sets are cut to what 1–2 epochs can learn, and
      // unlearnable's noise search (its cost grows with |x*|·rounds, not with the training
      // epochs) to one round, so that it costs about the share of a retraining it has in `full`.
      let fewRounds: [String: [String: OptionValue]] = ["unlearnable": ["max_rounds": .number(1)]]
      let mnist = NamedSpec("mnist", ["subset": .number(20000)])
      let fashion = NamedSpec("fashion-mnist", ["subset": .number(20000)])
      let cifar = NamedSpec("cifar10", ["subset": .number(2000), "test_subset": .number(500)])
      let cnnTraining = Self.training(epochs: 2, batch: 64, lr: 0.05)
      return (
        [
          Group(
            pairs: [(fashion, cnn, "Fashion-MNIST (20,000-sample subset)")], training: cnnTraining,
            labelCounts: Self.labelCounts([2, 4, 6, 8, 10]), methodOptions: fewRounds),
          Group(
            pairs: [(mnist, cnn, "MNIST (20,000-sample subset)")], training: cnnTraining,
            labelCounts: Self.labelCounts([2, 6, 10]), methodOptions: fewRounds),
          Group(
            pairs: [(cifar, resnet, "CIFAR-10 (JPEG, subset)")], training: Self.training(epochs: 2, batch: 128, lr: 0.05),
            labelCounts: [], methodOptions: fewRounds,
            scenarios: Self.scenarios.filter { $0.name == "sample" || $0.options["count"] == .number(1) }),
        ], [0], ["retained_limit": .number(5000)],
        [
          "one seed (the survey: several): no error bars, and each ρ rests on one run per point",
          "MNIST and Fashion-MNIST: class-balanced 20,000-sample training subsets (full 10,000-image test sets); "
            + "CNN trained 2 epochs (batch 64) per model (M0, M_retrain)",
          "CIFAR-10: the JPEG release, a class-balanced subset of 2,000 training and 500 test images; "
            + "ResNet-18 trained 2 epochs (batch 128) — far from converged",
          "label-count sweep: K = 2, 4, 6, 8, 10 for Fashion-MNIST, K = 2, 6, 10 for MNIST, none for CIFAR-10",
          "CIFAR-10: sample 1/5/10% and label 1, not label 3 (a CIFAR-10 scenario takes about 14 minutes here: "
            + "SISA's ten-model ensemble is evaluated on every metric, CR's Hessian and LCODEC run ResNet-18)",
          "unlearnable: the noise search stops after 1 round (default 10): its cost grows with the forget set "
            + "and the rounds, not the training epochs, and one round keeps its share of a 2-epoch retraining "
            + "near what 10 rounds are of the survey's 20 epochs",
          "ACC_remained and the attack evaluate a seeded 5,000-sample share of D \\ x*",
        ])
    case .full:
      return (
        [
          Group(
            pairs: [(NamedSpec("mnist"), cnn, "MNIST"), (NamedSpec("fashion-mnist"), cnn, "Fashion-MNIST")],
            training: Self.training(epochs: 20, batch: 64, lr: 0.05), labelCounts: Self.labelCounts([2, 4, 6, 8, 10])),
          Group(
            pairs: [
              (NamedSpec("cifar10"), resnet, "CIFAR-10"), (NamedSpec("svhn"), resnet, "SVHN"),
              (NamedSpec("imagenet-subset", ["image_size": .number(64)]), resnet, "ImageNet subset"),
            ], training: Self.training(epochs: 20, batch: 128, lr: 0.05),
            labelCounts: Self.labelCounts([2, 4, 6, 8, 10])),
          Group(
            pairs: [(NamedSpec("purchase"), mlp, "Purchase")], training: Self.training(epochs: 30, batch: 128, lr: 0.05),
            labelCounts: Self.labelCounts([2, 10, 20, 50, 100], kmeans: true)),
        ], [0, 1, 2], ["retained_limit": .number(10000)],
        [
          "the survey's own epochs and learning rates are not in the text we have: 20 epochs (CNN, ResNet-18) "
            + "and 30 (MLP) of SGD, lr 0.05",
          "ImageNet subset at 64×64; ACC_remained and the attack on a seeded 10,000-sample share of D \\ x*",
        ])
    }
  }
}
