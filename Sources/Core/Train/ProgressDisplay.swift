import Foundation

/// Writes training progress to standard error: a redrawn bar on a terminal, plain lines
/// otherwise (`isatty`).
struct ProgressDisplay {
  let style: ProgressStyle
  let isTerminal: Bool
  private var lastDraw = 0.0

  init(style: ProgressStyle) {
    self.style = style
    isTerminal = isatty(STDERR_FILENO) != 0
  }

  private var showsBar: Bool { style == .automatic && isTerminal }

  /// Redraws the bar (at most ten times a second).
  mutating func update(epoch: Int, epochs: Int, done: Int, total: Int, loss: Float, seconds: Double) {
    guard showsBar, seconds - lastDraw >= 0.1 || done == total else { return }
    lastDraw = seconds
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    write("\r\u{1B}[Kepoch \(epoch + 1)/\(epochs) \(bar) \(done)/\(total)  loss "
      + String(format: "%.4f", loss) + "  " + String(format: "%.1f s", seconds))
  }

  /// Ends an epoch with one summary line.
  mutating func finish(_ info: EpochInfo, epochs: Int) {
    lastDraw = 0
    guard style != .silent else { return }
    var line = "epoch \(info.epoch + 1)/\(epochs): loss " + String(format: "%.4f", info.meanLoss)
      + ", train acc " + String(format: "%.2f%%", info.trainAccuracy)
    if let e = info.evaluationAccuracy { line += ", eval acc " + String(format: "%.2f%%", e) }
    line += ", " + String(format: "%.1f s", info.seconds)
    write((showsBar ? "\r\u{1B}[K" : "") + line + "\n")
  }

  private func write(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
  }
}
