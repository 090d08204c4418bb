import Foundation

/// A value in the benchmark's JSON output.
indirect enum BenchValue {
  case number(Double)
  case null
  case object([(String, BenchValue)])

  /// `value` as a number, or null when nothing was measured.
  init(_ value: Double?) { self = value.map { .number($0) } ?? .null }

  var json: String {
    switch self {
    case .number(let x): return x.isFinite ? String(format: "%.6g", x) : "null"
    case .null: return "null"
    case .object(let fields):
      return "{" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
    }
  }
}

/// Collects the benchmark's figures: table rows as they are measured (printed at once, to stdout,
/// or to stderr in JSON mode) and the keys of the JSON object (printed at the end).
final class BenchReport {
  private var fields: [(String, BenchValue)] = []
  private let jsonMode: Bool

  init(jsonMode: Bool) { self.jsonMode = jsonMode }

  /// Sets (or replaces) one key of the JSON object.
  func set(_ key: String, _ value: BenchValue) {
    if let index = fields.firstIndex(where: { $0.0 == key }) {
      fields[index].1 = value
    } else {
      fields.append((key, value))
    }
  }

  /// Prints a section heading.
  func section(_ title: String) { emit("\n== \(title) ==") }

  /// Prints one line of the table.
  func line(_ text: String) { emit(text) }

  /// Prints a timing row with the PyTorch reference and the ratio Lethe/PyTorch (below 1 is faster).
  func timeRow(_ label: String, ms: Double?, pytorchMs: Double, unit: String = "ms", note: String = "") {
    let ref = format(pytorchMs, unit: unit)
    guard let ms else {
      emit(pad(label, 28) + pad("—", 12) + "  PyTorch " + pad(ref, 10) + "  " + note)
      return
    }
    let ratio = String(format: "%.2f×", ms / pytorchMs)
    emit(pad(label, 28) + pad(format(ms, unit: unit), 12) + "  PyTorch " + pad(ref, 10)
      + "  ratio " + ratio + (note.isEmpty ? "" : "  " + note))
  }

  /// The JSON object with every key set so far.
  var json: String { BenchValue.object(fields).json }

  private func format(_ x: Double, unit: String) -> String {
    String(format: x >= 100 ? "%.0f %@" : "%.3g %@", x, unit)
  }

  func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  private func emit(_ text: String) {
    if jsonMode {
      FileHandle.standardError.write(Data((text + "\n").utf8))
    } else {
      print(text)
    }
  }
}

/// Wall-clock seconds of `body`.
func secondsOf(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median of `runs` timings (seconds) of `body` after `warmup` untimed runs.
func medianSeconds(warmup: Int, runs: Int, _ body: () -> Void) -> Double {
  for _ in 0..<warmup { body() }
  let times = (0..<max(1, runs)).map { _ in secondsOf(body) }.sorted()
  let middle = times.count / 2
  return times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2
}
