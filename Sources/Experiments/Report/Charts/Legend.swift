/// A chart's legend: one coloured marker and name per series, in rows that fit the chart.
enum Legend {
  /// One row: its items' names with their left edges (from the row's start) and its width.
  struct Row {
    var items: [(name: String, x: Double)]
    var width: Double
  }

  /// The marker drawn before a name.
  enum Marker {
    case square
    case line
  }

  static let markerWidth = 14.0
  static let spacing = 16.0

  /// `series` in rows no wider than `width` (a row holds at least one item).
  static func rows(_ series: [String], width: Double, size: Double) -> [Row] {
    var rows: [Row] = []
    var current = Row(items: [], width: 0)
    for name in series {
      let w = markerWidth + 4 + TextWidth.of(name, size: size)
      let x = current.items.isEmpty ? 0 : current.width + spacing
      if !current.items.isEmpty && x + w > width {
        rows.append(current)
        current = Row(items: [(name, 0)], width: w)
      } else {
        current.items.append((name, x))
        current.width = x + w
      }
    }
    if !current.items.isEmpty { rows.append(current) }
    return rows
  }

  /// Draws `rows` centred on `svg`, the first row's top at `top`; colours by position in `series`.
  static func draw(
    _ rows: [Row], series: [String], into svg: inout SVGCanvas, top: Double, size: Double, marker: Marker
  ) {
    for (r, row) in rows.enumerated() {
      let start = (svg.width - row.width) / 2
      let baseline = top + Double(r) * TextWidth.lineHeight(size) + size
      for item in row.items {
        let color = SVGCanvas.palette[(series.firstIndex(of: item.name) ?? 0) % SVGCanvas.palette.count]
        let x = start + item.x
        switch marker {
        case .square:
          svg.rect(x: x, y: baseline - size * 0.8, width: 10, height: 10, fill: color)
        case .line:
          svg.line(x, baseline - size * 0.35, x + markerWidth, baseline - size * 0.35, stroke: color, width: 2)
          svg.circle(x + markerWidth / 2, baseline - size * 0.35, radius: 3, fill: color)
        }
        svg.text(item.name, x: x + markerWidth + 4, y: baseline, size: size)
      }
    }
  }
}
