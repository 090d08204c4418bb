import Core

/// How charts present a metric: the axis label with its unit (which depends on the variant the
/// runs measured), the axis bounds, and whether the axis is logarithmic.
enum MetricPresentation {
  /// "ACC_test (%)", "DIST_para (‖Δθ‖₂ / √n)", "Speedup (×, wall-clock)", ...; `variants` are a
  /// record's `metric_variants` (nil: the defaults).
  static func axisLabel(_ metric: String, variants: [String: String]? = nil) -> String {
    switch metric {
    case "acc_test", "acc_remained", "acc_deleted": return "\(ResultTable.title(metric)) (%)"
    case "dist_output":
      return variants?["dist_output"] == "js"
        ? "DIST_output (mean JS divergence, nats)" : "DIST_output (mean L2 of softmax outputs)"
    case "dist_para":
      switch variants?["dist_para"] {
      case "l2": return "DIST_para (‖Δθ‖₂)"
      case "relative": return "DIST_para (‖Δθ‖₂ / ‖θ_retrain‖₂)"
      default: return "DIST_para (‖Δθ‖₂ / √n)"
      }
    case "mia_efficacy": return "MIA efficacy (% of x* judged non-member)"
    case "mia_auc": return "MIA AUC (held-out)"
    case "speedup": return "Speedup (×, wall-clock)"
    case "speedup_work": return "Speedup_work (×, counted work)"
    default: return ResultTable.title(metric)
    }
  }

  /// Percentages stay within 0...100; AUCs within 0...1.
  static func bounds(_ metric: String) -> ClosedRange<Double>? {
    switch metric {
    case "acc_test", "acc_remained", "acc_deleted", "mia_efficacy": return 0...100
    case "mia_auc": return 0...1
    default: return nil
    }
  }

  /// Speedups are ratios that span decades: always on a log axis.
  static func prefersLog(_ metric: String) -> Bool { metric == "speedup" || metric == "speedup_work" }
}
