import Foundation
import Methods
import XCTest

@testable import Core
@testable import Experiments

/// Charts as a reader sees them: rendered by a real SVG renderer (`rsvg-convert`, Debian's
/// librsvg2-bin, installed by scripts/install-deps.sh), then checked on the pixels.
///
/// Each chart is drawn inside a larger white canvas (a margin all round); anything the chart
/// draws outside its own width and height — a clipped label, a legend running off the edge —
/// lands in the margin, and the margin must stay white. The drawn content must also fill the
/// canvas (no empty quarter).
final class ChartRenderingTests: XCTestCase {
  override class func tearDown() { Fixtures.cleanUp() }

  /// The check can fail: a label pushed past the right edge is caught.
  func testTheCheckCatchesALabelOutsideTheCanvas() throws {
    var canvas = SVGCanvas(width: 200, height: 100)
    canvas.rect(x: 0, y: 0, width: 200, height: 100, fill: "#eee")
    canvas.text("a label that does not fit", x: 150, y: 50, size: 12)
    let r = try render(canvas.document())
    let spill = (0..<r.height).contains { y in
      (r.width - r.margin..<r.width).contains { r.pixel($0, y) < 245 }
    }
    XCTAssertTrue(spill, "the renderer shows text past the right edge")
  }

  /// The faults of the first charts: long last labels, one 94× bar among 1–3×, AUCs that differ
  /// in the third decimal, one seed.
  func testReportChartsFitTheirCanvasAndShowWhatDiffers() throws {
    let path = Fixtures.temporaryPath("results.jsonl")
    final class Spread: RunExecutor {
      func execute(_ run: RunIdentity) throws -> RunOutcome {
        let speed: [String: Double] = ["retrain": 1, "finetune": 2.6, "neggrad": 94, "random_labels_long_name": 1.3]
        let auc: [String: Double] = ["retrain": 0.4962, "finetune": 0.5031, "neggrad": 0.5108, "random_labels_long_name": 0.4991]
        return RunOutcome(metrics: [
          "speedup": speed[run.method.name]!, "mia_auc": auc[run.method.name]!,
          "acc_test": 46.84 + Double(run.seed) + (speed[run.method.name]! > 10 ? -20 : 0),
        ])
      }
    }
    var s = Fixtures.schedule(methods: ["retrain", "finetune", "neggrad", "random_labels_long_name"], seeds: [0])
    s.scenarios = [NamedSpec("sample", ["fraction": .number(0.01)]), NamedSpec("label_count", ["classes": .number(10), "kept": .string("0,1,2,3,4,5,6,7,8,9")])]
    try ExperimentRunner(executor: Spread(), results: ResultsFile(path: path), threads: 1, progress: { _ in })
      .run(try s.runs { $0 })
    let table = ResultTable(records: try ResultsFile(path: path).read().records)
    for metric in ["speedup", "mia_auc", "acc_test"] {
      let svg = SVGBarChart.render(table, metric: metric)
      try assertInsideAndFilling(svg, metric)
    }
    let speed = SVGBarChart.render(table, metric: "speedup")
    XCTAssertTrue(speed.contains("log scale"), "speedup spans decades")
    XCTAssertTrue(speed.contains(">100</text>") && speed.contains(">1</text>"), "ticks at powers of ten")
    XCTAssertTrue(speed.contains("Speedup (×, wall-clock)"), "axis label with unit")
    let auc = SVGBarChart.render(table, metric: "mia_auc")
    for v in ["0.496", "0.503", "0.511", "0.499"] { XCTAssertTrue(auc.contains(">\(v) (n=1)<"), "\(v) in \(auc)") }
    XCTAssertFalse(auc.contains("± 0.00"))
    let acc = SVGBarChart.render(table, metric: "acc_test")
    XCTAssertFalse(acc.contains("23.42") || acc.contains("46.84</text>\n<line"), "round ticks")
    XCTAssertTrue(acc.contains(">40</text>") || acc.contains(">40.0</text>"), acc)
  }

  func testLineChartFitsAndUsesRoundTicks() throws {
    let chart = LineChart(
      title: "Speedup against the label count", xLabel: "label count K", yLabel: "Speedup (×, wall-clock)",
      series: [
        .init(name: "finetune", points: [2, 4, 6, 8, 10].map { .init(x: $0, mean: 20 / $0, std: 0.3, n: 3) }),
        .init(name: "linear_filtration", points: [2, 4, 6, 8, 10].map { .init(x: $0, mean: 300 + $0, std: nil, n: 1) }),
      ], logScale: true, caption: "Mean over datasets and seeds.")
    let svg = chart.render()
    try assertInsideAndFilling(svg, "line chart")
    XCTAssertTrue(svg.contains(">10</text>") && svg.contains(">1000</text>"))
  }

  func testAxisTicksAreRound() {
    let a = ChartAxis.linear(minimum: 0, maximum: 46.84, includeZero: true)
    XCTAssertEqual(a.labels, ["0", "10", "20", "30", "40", "50"])
    let b = ChartAxis.linear(minimum: 0.4962, maximum: 0.5108, includeZero: false)
    XCTAssertEqual(b.labels.first, "0.495")
    XCTAssertTrue(b.ticks.count >= 4 && b.ticks.count <= 8, "\(b.labels)")
    let p = ChartAxis.linear(minimum: 12, maximum: 99.5, includeZero: true, bounds: 0...100)
    XCTAssertEqual(p.labels, ["0", "20", "40", "60", "80", "100"])
    let l = ChartAxis.logarithmic(minimum: 0.65, maximum: 94)
    XCTAssertEqual(l.labels, ["0.1", "1", "10", "100"])
    let short = ChartAxis.logarithmic(minimum: 1.3, maximum: 8.9)
    XCTAssertEqual(short.labels, ["1", "2", "5", "10"])
    XCTAssertEqual(ValuePrecision.decimals(for: [0.4962, 0.5031, 0.5108]), 3)
    XCTAssertEqual(ValuePrecision.decimals(for: [91, 92.5]), 1)
    XCTAssertEqual(ValuePrecision.decimals(for: [0.0012, 0.0013]), 4)
  }
}

/// Rendering charts with rsvg-convert and checking them on the pixels, for every test class.
extension XCTestCase {
  struct Rendered {
    var grey: [UInt8]
    var width: Int
    var height: Int
    var margin: Int
    func pixel(_ x: Int, _ y: Int) -> UInt8 { grey[y * width + x] }
  }

  static var rsvg: String? {
    ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Renders `svg` inside a margin of `margin` px with rsvg-convert and decodes the PNG to grey.
  func render(_ svg: String, margin: Int = 40) throws -> Rendered {
    guard let rsvg = XCTestCase.rsvg else {
      throw XCTSkip("rsvg-convert is not installed (scripts/install-deps.sh installs librsvg2-bin)")
    }
    let lines = svg.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let root = try XCTUnwrap(lines.first)
    func attribute(_ name: String) throws -> Double {
      let r = try XCTUnwrap(root.range(of: " \(name)=\""))
      let rest = root[r.upperBound...]
      return try XCTUnwrap(Double(rest.prefix { $0 != "\"" }))
    }
    let w = try attribute("width"), h = try attribute("height")
    let family = try XCTUnwrap(root.range(of: "font-family=\"")).upperBound
    let font = root[family...].prefix { $0 != "\"" }
    let inner = lines.dropFirst().filter { $0 != "</svg>" }.joined(separator: "\n")
    let m = Double(margin)
    let wrapper = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(w + 2 * m)" height="\(h + 2 * m)">
      <rect x="0" y="0" width="\(w + 2 * m)" height="\(h + 2 * m)" fill="white"/>
      <g transform="translate(\(m) \(m))" font-family="\(font)">
      \(inner)
      </g></svg>
      """
    let svgPath = Fixtures.temporaryPath("chart.svg"), pngPath = svgPath + ".png"
    try wrapper.write(toFile: svgPath, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: rsvg)
    p.arguments = ["--format=png", "--background-color=white", "-o", pngPath, svgPath]
    try p.run()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "rsvg-convert failed on \(svgPath)")
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pngPath)))
    let (grey, ph, pw) = try data.withUnsafeBufferPointer {
      try ImageDecoder.decodeInterleaved($0, file: pngPath, channels: 1)
    }
    XCTAssertEqual(pw, Int((w + 2 * m).rounded(.up)))
    return Rendered(grey: grey, width: pw, height: ph, margin: margin)
  }

  /// Nothing drawn outside the chart's canvas; the drawing spans most of it.
  func assertInsideAndFilling(_ svg: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let r = try render(svg)
    var outside: [(Int, Int)] = []
    var minX = Int.max, maxX = -1, minY = Int.max, maxY = -1
    for y in 0..<r.height {
      for x in 0..<r.width where r.pixel(x, y) < 245 {
        let inside = x >= r.margin && x < r.width - r.margin && y >= r.margin && y < r.height - r.margin
        if !inside { outside.append((x, y)) }
        minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
      }
    }
    XCTAssertTrue(
      outside.isEmpty, "\(what): \(outside.count) pixels drawn outside the canvas, e.g. \(outside.prefix(3))",
      file: file, line: line)
    let w = Double(r.width - 2 * r.margin), h = Double(r.height - 2 * r.margin)
    XCTAssertGreaterThan(Double(maxX - minX) / w, 0.85, "\(what): content spans too little width", file: file, line: line)
    XCTAssertGreaterThan(Double(maxY - minY) / h, 0.85, "\(what): content spans too little height", file: file, line: line)
  }

}
