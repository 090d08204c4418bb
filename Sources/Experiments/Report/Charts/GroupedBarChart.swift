/// A grouped bar chart as a paper shows one metric: groups (datasets, or scenarios) along the
/// horizontal axis, one bar per series (method) in each, the mean over seeds with an error bar of
/// ± one sample standard deviation, and the value above each bar. Everything is laid out from
/// the measured text (`TextWidth`): the canvas is as large as its content, labels never leave it.
///
/// - Ticks are round (`ChartAxis`); the value axis is logarithmic when asked (speedups) or when
///   the positive values span more than `logSpan`.
/// - Value labels carry the decimals the values' spread needs (`ValuePrecision`); a bar of a
///   single seed has no error bar and says "n=1".
struct GroupedBarChart {
  /// One bar.
  struct Bar {
    var series: String
    var mean: Double
    /// Sample standard deviation over seeds (nil with one seed).
    var std: Double?
    /// Seeds behind the mean.
    var n: Int
  }

  /// One group of bars.
  struct Group {
    var label: String
    var bars: [Bar]
  }

  var title: String
  /// The value axis' label with its unit, e.g. "ACC_test (%)".
  var axisLabel: String
  var groups: [Group]
  /// Series in legend order (colours follow it).
  var series: [String]
  /// Use a log axis (values must be positive; otherwise the axis falls back to linear).
  var logScale = false
  /// Values the axis never passes (0...100 for percentages).
  var bounds: ClosedRange<Double>?
  /// A note printed under the chart.
  var caption: String?

  /// Positive values spanning more than this factor get a log axis even unasked.
  static let logSpan = 50.0

  private let size = 12.0
  private let titleSize = 14.0
  private let barWidth = 16.0
  private let barGap = 3.0
  private let groupGap = 26.0
  private let plotHeight = 230.0

  func render() -> String {
    let bars = groups.flatMap(\.bars)
    let means = bars.map(\.mean).filter(\.isFinite)
    let decimals = ValuePrecision.decimals(for: means)
    let highs = bars.map { $0.mean + ($0.std ?? 0) }.filter(\.isFinite)
    let lows = bars.map { $0.mean - ($0.std ?? 0) }.filter(\.isFinite)
    let positive = means.allSatisfy { $0 > 0 } && !means.isEmpty
    let span = positive ? (means.max()! / means.min()!) : 1
    let useLog = positive && (logScale || span > Self.logSpan)
    let axis: ChartAxis
    if useLog {
      let lowest = min(means.min()!, lows.filter { $0 > 0 }.min() ?? means.min()!)
      axis = .logarithmic(minimum: lowest, maximum: highs.max() ?? means.max()!)
    } else {
      axis = .linear(
        minimum: lows.min() ?? 0, maximum: highs.max() ?? 1, includeZero: true, bounds: bounds)
    }
    let valueLabel = { (b: Bar) -> String in
      ChartAxis.format(b.mean, decimals: decimals) + (b.n == 1 ? " (n=1)" : "")
    }

    // Horizontal layout: each group as wide as its bars or its label, whichever is wider.
    let tickWidth = axis.labels.map { TextWidth.of($0, size: size) }.max() ?? 0
    let left = 8 + TextWidth.lineHeight(size) + 6 + tickWidth + 8
    let groupLabelLines = groups.map { labelLines($0.label) }
    var slots: [Double] = []
    for (g, lines) in zip(groups, groupLabelLines) {
      let barsWidth = Double(g.bars.count) * (barWidth + barGap) - barGap
      let labelWidth = lines.map { TextWidth.of($0, size: size) }.max() ?? 0
      slots.append(max(barsWidth, labelWidth) + groupGap)
    }
    let plotWidth = max(slots.reduce(0, +), 120)
    var width = left + plotWidth + 12
    width = max(width, TextWidth.of(title, size: titleSize) + 24)
    let legend = legendRows(width: width - 24)
    width = max(width, (legend.map(\.width).max() ?? 0) + 24)

    // Vertical layout.
    let titleHeight = TextWidth.lineHeight(titleSize) + 6
    let legendHeight = Double(legend.count) * TextWidth.lineHeight(size) + 8
    let headroom = (bars.map { TextWidth.of(valueLabel($0), size: size - 1) }.max() ?? 0) + 10
    let plotTop = 10 + titleHeight + legendHeight + headroom
    let plotBottom = plotTop + plotHeight
    let maxLabelLines = groupLabelLines.map(\.count).max() ?? 1
    let captionLines = caption.map { SVGCanvas.wrap($0, width: width - 24, size: size - 1) } ?? []
    let height = plotBottom + 8 + Double(maxLabelLines) * TextWidth.lineHeight(size)
      + Double(captionLines.count) * TextWidth.lineHeight(size - 1) + 14

    var svg = SVGCanvas(width: width, height: height)
    svg.text(title, x: width / 2, y: 10 + titleSize, size: titleSize, anchor: "middle", bold: true)
    drawLegend(legend, into: &svg, top: 10 + titleHeight)
    func y(_ v: Double) -> Double { plotBottom - plotHeight * axis.fraction(v) }

    // Grid, ticks and the axis label.
    for (t, label) in zip(axis.ticks, axis.labels) {
      svg.line(left, y(t), left + plotWidth, y(t), stroke: "#e3e3e3")
      svg.text(label, x: left - 6, y: y(t) + size * 0.35, size: size, anchor: "end")
    }
    svg.line(left, plotTop, left, plotBottom, stroke: "#444")
    let baseline = useLog ? axis.lo : min(max(0, axis.lo), axis.hi)
    svg.line(left, y(baseline), left + plotWidth, y(baseline), stroke: "#444")
    let axisTitle = axisLabel + (useLog ? ", log scale" : "")
    svg.text(
      axisTitle, x: 8 + size, y: (plotTop + plotBottom) / 2, size: size, anchor: "middle", rotate: -90)

    // Bars, error bars, values, group labels.
    var x0 = left + groupGap / 2
    for (gi, g) in groups.enumerated() {
      let barsWidth = Double(g.bars.count) * (barWidth + barGap) - barGap
      var x = x0 + (slots[gi] - groupGap - barsWidth) / 2
      for b in g.bars {
        let color = SVGCanvas.palette[(series.firstIndex(of: b.series) ?? 0) % SVGCanvas.palette.count]
        let top = y(b.mean), bottom = y(baseline)
        var tooltip = "\(b.series), \(g.label): \(ChartAxis.format(b.mean, decimals: decimals + 1))"
        if let s = b.std { tooltip += " ± \(ChartAxis.format(s, decimals: decimals + 1))" }
        tooltip += " (n=\(b.n))"
        svg.rect(x: x, y: min(top, bottom), width: barWidth, height: abs(bottom - top), fill: color, title: tooltip)
        var labelFrom = min(top, bottom)
        if let s = b.std, b.n > 1, s > 0 {
          let hiY = y(b.mean + s), loY = y(useLog ? max(b.mean - s, axis.lo) : b.mean - s)
          let cx = x + barWidth / 2
          svg.line(cx, hiY, cx, loY, stroke: "#222")
          svg.line(cx - 4, hiY, cx + 4, hiY, stroke: "#222")
          svg.line(cx - 4, loY, cx + 4, loY, stroke: "#222")
          labelFrom = min(labelFrom, hiY)
        }
        let lx = x + barWidth / 2 + (size - 1) * 0.35
        svg.text(valueLabel(b), x: lx, y: labelFrom - 4, size: size - 1, rotate: -90, fill: "#333")
        x += barWidth + barGap
      }
      for (li, line) in groupLabelLines[gi].enumerated() {
        svg.text(
          line, x: x0 + (slots[gi] - groupGap) / 2, y: plotBottom + 6 + size + Double(li) * TextWidth.lineHeight(size),
          size: size, anchor: "middle")
      }
      x0 += slots[gi]
    }
    var cy = plotBottom + 8 + Double(maxLabelLines) * TextWidth.lineHeight(size) + (size - 1)
    for line in captionLines {
      svg.text(line, x: 12, y: cy, size: size - 1, fill: "#555")
      cy += TextWidth.lineHeight(size - 1)
    }
    return svg.document()
  }

  /// A group label split at spaces and before "(" into lines, so that long scenario names stack.
  private func labelLines(_ label: String) -> [String] {
    let spaced = label.replacingOccurrences(of: "(", with: " (").replacingOccurrences(of: ",", with: ", ")
    return SVGCanvas.wrap(spaced, width: 130, size: size)
  }

  /// The series laid out in rows no wider than `width` (a row holds at least one item).
  private func legendRows(width: Double) -> [Legend.Row] {
    Legend.rows(series, width: width, size: size)
  }

  private func drawLegend(_ rows: [Legend.Row], into svg: inout SVGCanvas, top: Double) {
    Legend.draw(rows, series: series, into: &svg, top: top, size: size, marker: .square)
  }
}
