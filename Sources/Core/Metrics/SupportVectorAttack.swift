import CLibSVM

/// The SalUn / ℓ1-sparse reference code's attack classifier: scikit-learn's
/// `SVC(C=3, gamma="auto", kernel="rbf")` (`OPTML-Group/Unlearn-Sparse`, `evaluation/SVC_MIA.py`),
/// which is LIBSVM's C-SVC — called here through Debian's LIBSVM rather than re-implemented, with
/// scikit-learn's other defaults (tolerance 1e-3, shrinking on, a 200 MB kernel cache). γ = "auto"
/// is 1 / (feature count) = 1 for one feature. Features are used as given (the reference code
/// does not scale them).
///
/// LIBSVM's model points into the training nodes, so this class owns them until it is freed.
final class SupportVectorAttack {
  private let count: Int
  private let nodes: UnsafeMutablePointer<svm_node>
  private let rows: UnsafeMutablePointer<UnsafeMutablePointer<svm_node>?>
  private let targets: UnsafeMutablePointer<Double>
  private var problem: svm_problem
  private var parameter: svm_parameter
  private var model: UnsafeMutablePointer<svm_model>?
  /// +1 when LIBSVM's first class is "member" (its decision value is then the member score).
  private let sign: Double

  /// LIBSVM prints its progress unless told otherwise; the quiet printer is installed once.
  private static let silenced: Bool = {
    svm_set_print_string_function { _ in }
    return true
  }()

  /// Trains on `members` (label 1) and `nonMembers` (label 0); both non-empty.
  init(members: [Double], nonMembers: [Double]) throws {
    _ = Self.silenced
    let x = members + nonMembers
    count = x.count
    guard !members.isEmpty, !nonMembers.isEmpty else {
      throw MetricError.invalidInput(metric: "MIA", message: "the SVC needs members and non-members")
    }
    nodes = .allocate(capacity: 2 * count)
    rows = .allocate(capacity: count)
    targets = .allocate(capacity: count)
    for (i, v) in x.enumerated() {
      nodes[2 * i] = svm_node(index: 1, value: v)
      nodes[2 * i + 1] = svm_node(index: -1, value: 0)
      rows[i] = nodes + 2 * i
      targets[i] = i < members.count ? 1 : 0
    }
    problem = svm_problem(l: Int32(count), y: targets, x: rows)
    parameter = svm_parameter(
      svm_type: Int32(C_SVC), kernel_type: Int32(RBF), degree: 3, gamma: 1, coef0: 0, cache_size: 200,
      eps: 1e-3, C: 3, nr_weight: 0, weight_label: nil, weight: nil, nu: 0.5, p: 0.1, shrinking: 1,
      probability: 0)
    if let message = svm_check_parameter(&problem, &parameter) {
      let text = String(cString: message)
      nodes.deallocate()
      rows.deallocate()
      targets.deallocate()
      throw MetricError.invalidInput(metric: "MIA", message: "LIBSVM rejected the SVC: \(text)")
    }
    model = svm_train(&problem, &parameter)
    var labels = [Int32](repeating: 0, count: 2)
    svm_get_labels(model, &labels)
    sign = labels[0] == 1 ? 1 : -1
  }

  deinit {
    svm_free_and_destroy_model(&model)
    nodes.deallocate()
    rows.deallocate()
    targets.deallocate()
  }

  /// The signed distance-like decision value of `x`: positive means member.
  func decisionValue(_ x: Double) -> Double {
    var query = [svm_node(index: 1, value: x), svm_node(index: -1, value: 0)]
    var value = 0.0
    _ = svm_predict_values(model, &query, &value)
    return sign * value
  }
}
