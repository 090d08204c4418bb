/// An SVG document built element by element, with the escaping and number formatting every chart
/// needs. Coordinates are pixels from the top left.
struct SVGCanvas {
  let width: Double
  let height: Double
  private var elements: [String] = []

  /// The body font, widest first (see `TextWidth`).
  static let fontFamily = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
  /// Series colours: Tableau 10 (distinguishable, and readable in grey), then two more.
  static let palette = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#1f3b5a", "#8c564b",
  ]

  init(width: Double, height: Double) {
    self.width = width.rounded(.up)
    self.height = height.rounded(.up)
  }

  mutating func rect(x: Double, y: Double, width w: Double, height h: Double, fill: String, title: String? = nil) {
    let tooltip = title.map { "<title>\(Self.xml($0))</title>" } ?? ""
    elements.append(
      "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(w, 0)))\" height=\"\(f(max(h, 0)))\" fill=\"\(fill)\">"
        + tooltip + "</rect>")
  }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width w: Double = 1,
    dashed: Bool = false)
  {
    elements.append(
      "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" "
        + "stroke-width=\"\(f(w))\"" + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>")
  }

  mutating func polyline(_ points: [(Double, Double)], stroke: String, width w: Double = 1.5) {
    let p = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
    elements.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(w))\"/>")
  }

  mutating func circle(_ cx: Double, _ cy: Double, radius: Double, fill: String, title: String? = nil) {
    let tooltip = title.map { "<title>\(Self.xml($0))</title>" } ?? ""
    elements.append("<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(radius))\" fill=\"\(fill)\">\(tooltip)</circle>")
  }

  /// Text with its baseline at `y`; `anchor` start, middle or end; `rotate` in degrees about
  /// (x, y), negative = counter-clockwise.
  mutating func text(
    _ s: String, x: Double, y: Double, size: Double, anchor: String = "start", rotate: Double = 0,
    bold: Bool = false, fill: String = "#222"
  ) {
    var attributes = "x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" fill=\"\(fill)\""
    if anchor != "start" { attributes += " text-anchor=\"\(anchor)\"" }
    if bold { attributes += " font-weight=\"bold\"" }
    if rotate != 0 { attributes += " transform=\"rotate(\(f(rotate)) \(f(x)) \(f(y)))\"" }
    elements.append("<text \(attributes)>\(Self.xml(s))</text>")
  }

  /// The whole document: a white background, then the elements in order.
  func document() -> String {
    var out = [
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"\(Self.fontFamily)\">",
      "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>",
    ]
    out += elements
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  private func f(_ v: Double) -> String { ChartAxis.format(v, decimals: 1) }

  /// `s` escaped for XML text and attributes.
  static func xml(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// `text` broken into lines no wider than `width` at `size`, at spaces (a word wider than the
  /// line stays whole: callers size their boxes with `TextWidth` of the longest line).
  static func wrap(_ text: String, width: Double, size: Double) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
      let candidate = current.isEmpty ? word : current + " " + word
      if TextWidth.of(candidate, size: size) <= width || current.isEmpty {
        current = candidate
      } else {
        lines.append(current)
        current = word
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}
