import Core

/// A bar chart of one metric, one bar per result row (mean over seeds) with a whisker of ± one
/// standard deviation, as a self-contained SVG document.
public enum SVGBarChart {
  /// The SVG text for `metric` over `table`'s rows (rows without the metric are left out).
  public static func render(_ table: ResultTable, metric: String) -> String {
    let scenarios = Set(table.rows.map(\.scenario)).count
    let setups = Set(table.rows.map { "\($0.dataset)|\($0.model)|\($0.training)" }).count
    let bars: [(String, Summary)] = table.rows.compactMap { r in
      guard let s = r.metrics[metric] else { return nil }
      var label = r.method
      if scenarios > 1 { label += " · \(r.scenario)" }
      if setups > 1 { label += " · \(r.dataset)/\(r.model)" }
      return (label, s)
    }
    let title = ResultTable.title(metric)
    let barWidth = 36.0
    let gap = 24.0
    let left = 70.0
    let top = 40.0
    let plotHeight = 260.0
    let labelSpace = 150.0
    let width = left + Double(max(bars.count, 1)) * (barWidth + gap) + gap
    let height = top + plotHeight + labelSpace
    let highs = bars.map { $0.1.mean + $0.1.std }
    let lows = bars.map { $0.1.mean - $0.1.std }
    var lo = min(0, lows.min() ?? 0)
    var hi = max(0, highs.max() ?? 1)
    if hi - lo < 1e-12 { hi = lo + 1 }
    let pad = (hi - lo) * 0.05
    if lo < 0 { lo -= pad }
    hi += pad
    func y(_ v: Double) -> Double { top + plotHeight * (hi - v) / (hi - lo) }

    var svg = [
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        + "font-family=\"sans-serif\" font-size=\"11\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
      "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
        + "\(xml(title)) (mean ± std over seeds)</text>",
    ]
    for k in 0...4 {
      let v = lo + (hi - lo) * Double(k) / 4
      svg.append(
        "<line x1=\"\(f(left))\" x2=\"\(f(width - gap / 2))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" "
          + "stroke=\"#ddd\"/>")
      svg.append(
        "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(Summary.fixed(v, 2))</text>")
    }
    svg.append(
      "<line x1=\"\(f(left))\" x2=\"\(f(width - gap / 2))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" "
        + "stroke=\"black\"/>")
    let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"]
    for (i, (label, s)) in bars.enumerated() {
      let x = left + gap + Double(i) * (barWidth + gap)
      let y0 = y(max(0, s.mean))
      let h = abs(y(s.mean) - y(0))
      svg.append(
        "<rect x=\"\(f(x))\" y=\"\(f(y0))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" "
          + "fill=\"\(palette[i % palette.count])\"><title>\(xml(label)): \(s.formatted(digits: 4))"
          + "</title></rect>")
      if s.std > 0 {
        let cx = x + barWidth / 2
        svg.append(
          "<line x1=\"\(f(cx))\" x2=\"\(f(cx))\" y1=\"\(f(y(s.mean + s.std)))\" "
            + "y2=\"\(f(y(s.mean - s.std)))\" stroke=\"black\"/>")
      }
      svg.append(
        "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(y(s.mean) - 4 - (s.mean < 0 ? -14 : 0)))\" "
          + "text-anchor=\"middle\">\(Summary.fixed(s.mean, 2))</text>")
      let lx = x + barWidth / 2
      let ly = top + plotHeight + 14
      svg.append(
        "<text x=\"\(f(lx))\" y=\"\(f(ly))\" transform=\"rotate(40 \(f(lx)) \(f(ly)))\">\(xml(label))</text>")
    }
    svg.append("</svg>")
    return svg.joined(separator: "\n") + "\n"
  }

  private static func f(_ v: Double) -> String { Summary.fixed(v, 1) }

  private static func xml(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
