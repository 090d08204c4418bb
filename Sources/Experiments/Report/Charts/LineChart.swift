/// A line chart of one metric against a number (the survey's Figure 3: each metric against the
/// label count, one line per method), with round ticks, a log value axis when asked or when the
/// values span decades, error bars over seeds where there are several, and the canvas sized to
/// its content.
struct LineChart {
  /// One point: the mean over seeds (or datasets) at `x`.
  struct Point {
    var x: Double
    var mean: Double
    var std: Double?
    var n: Int
  }

  /// One line.
  struct Series {
    var name: String
    var points: [Point]
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series]
  var logScale = false
  var bounds: ClosedRange<Double>?
  var caption: String?

  private let size = 12.0
  private let titleSize = 14.0
  private let plotWidth = 380.0
  private let plotHeight = 230.0

  func render() -> String {
    let points = series.flatMap(\.points).filter { $0.mean.isFinite }
    let means = points.map(\.mean)
    let positive = !means.isEmpty && means.allSatisfy { $0 > 0 }
    let useLog = positive && (logScale || (means.max()! / means.min()!) > GroupedBarChart.logSpan)
    let highs = points.map { $0.mean + ($0.std ?? 0) }, lows = points.map { $0.mean - ($0.std ?? 0) }
    let yAxis: ChartAxis =
      useLog
      ? .logarithmic(minimum: means.min()!, maximum: highs.max()!)
      : .linear(minimum: lows.min() ?? 0, maximum: highs.max() ?? 1, includeZero: false, bounds: bounds)
    let xs = Set(points.map(\.x)).sorted()
    let xAxis: ChartAxis
    if xs.count >= 2 && xs.count <= 12 {
      let step = (xs.last! - xs.first!) / 20
      xAxis = ChartAxis(
        scale: .linear, lo: xs.first! - step, hi: xs.last! + step, ticks: xs,
        labels: xs.map { ChartAxis.format($0, decimals: ChartAxis.decimalsFor(step: $0)) })
    } else {
      xAxis = .linear(minimum: xs.first ?? 0, maximum: xs.last ?? 1, includeZero: false)
    }

    let tickWidth = yAxis.labels.map { TextWidth.of($0, size: size) }.max() ?? 0
    let left = 8 + TextWidth.lineHeight(size) + 6 + tickWidth + 8
    let lastTick = xAxis.labels.last.map { TextWidth.of($0, size: size) / 2 } ?? 0
    var width = left + plotWidth + max(16, lastTick + 8)
    width = max(width, TextWidth.of(title, size: titleSize) + 24)
    let legend = Legend.rows(series.map(\.name), width: width - 24, size: size)
    width = max(width, (legend.map(\.width).max() ?? 0) + 24)
    let titleHeight = TextWidth.lineHeight(titleSize) + 6
    let plotTop = 10 + titleHeight + Double(legend.count) * TextWidth.lineHeight(size) + 14
    let plotBottom = plotTop + plotHeight
    let captionLines = caption.map { SVGCanvas.wrap($0, width: width - 24, size: size - 1) } ?? []
    let height = plotBottom + 6 + 2 * TextWidth.lineHeight(size) + 8
      + Double(captionLines.count) * TextWidth.lineHeight(size - 1) + 10

    var svg = SVGCanvas(width: width, height: height)
    svg.text(title, x: width / 2, y: 10 + titleSize, size: titleSize, anchor: "middle", bold: true)
    Legend.draw(legend, series: series.map(\.name), into: &svg, top: 10 + titleHeight, size: size, marker: .line)
    func x(_ v: Double) -> Double { left + plotWidth * xAxis.fraction(v) }
    func y(_ v: Double) -> Double { plotBottom - plotHeight * yAxis.fraction(v) }
    for (t, label) in zip(yAxis.ticks, yAxis.labels) {
      svg.line(left, y(t), left + plotWidth, y(t), stroke: "#e3e3e3")
      svg.text(label, x: left - 6, y: y(t) + size * 0.35, size: size, anchor: "end")
    }
    for (t, label) in zip(xAxis.ticks, xAxis.labels) {
      svg.line(x(t), plotBottom, x(t), plotBottom + 4, stroke: "#444")
      svg.text(label, x: x(t), y: plotBottom + 6 + size, size: size, anchor: "middle")
    }
    svg.line(left, plotTop, left, plotBottom, stroke: "#444")
    svg.line(left, plotBottom, left + plotWidth, plotBottom, stroke: "#444")
    svg.text(
      yLabel + (useLog ? ", log scale" : ""), x: 8 + size, y: (plotTop + plotBottom) / 2, size: size,
      anchor: "middle", rotate: -90)
    svg.text(
      xLabel, x: left + plotWidth / 2, y: plotBottom + 6 + size + TextWidth.lineHeight(size) + 2, size: size,
      anchor: "middle")

    let decimals = ValuePrecision.decimals(for: means)
    for (i, s) in series.enumerated() {
      let color = SVGCanvas.palette[i % SVGCanvas.palette.count]
      let ps = s.points.filter { $0.mean.isFinite }.sorted { $0.x < $1.x }
      svg.polyline(ps.map { (x($0.x), y($0.mean)) }, stroke: color)
      for p in ps {
        if let sd = p.std, p.n > 1, sd > 0 {
          let hi = y(p.mean + sd), lo = y(useLog ? max(p.mean - sd, yAxis.lo) : p.mean - sd)
          svg.line(x(p.x), hi, x(p.x), lo, stroke: color)
        }
        var tip = "\(s.name), \(xLabel) \(ChartAxis.format(p.x, decimals: 0)): \(ChartAxis.format(p.mean, decimals: decimals))"
        if let sd = p.std { tip += " ± \(ChartAxis.format(sd, decimals: decimals))" }
        svg.circle(x(p.x), y(p.mean), radius: 3, fill: color, title: tip + " (n=\(p.n))")
      }
    }
    var cy = plotBottom + 6 + 2 * TextWidth.lineHeight(size) + 8 + (size - 1)
    for line in captionLines {
      svg.text(line, x: 12, y: cy, size: size - 1, fill: "#555")
      cy += TextWidth.lineHeight(size - 1)
    }
    return svg.document()
  }
}
