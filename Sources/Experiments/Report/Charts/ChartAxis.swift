import Foundation

/// A value axis with round ticks: linear (steps of 1, 2, 2.5 or 5 times a power of ten, about
/// five of them) or logarithmic (every power of ten, with 2 and 5 between them when the range is
/// short). Tick labels carry as many decimals as the step needs, no more.
struct ChartAxis {
  /// Linear or logarithmic.
  enum Scale {
    case linear
    case log
  }

  let scale: Scale
  /// The ends of the axis (powers of ten for a log axis; multiples of the step for a linear one).
  let lo: Double
  let hi: Double
  /// Tick positions, ascending.
  let ticks: [Double]
  /// Tick labels.
  let labels: [String]

  /// A linear axis covering `minimum...maximum` (and zero when `includeZero`), clamped to
  /// `bounds` when given (percentages: 0...100).
  static func linear(minimum: Double, maximum: Double, includeZero: Bool, bounds: ClosedRange<Double>? = nil)
    -> ChartAxis
  {
    var a = minimum, b = maximum
    if includeZero { a = min(a, 0); b = max(b, 0) }
    if !(b - a > 1e-12 * max(abs(a), abs(b), 1)) {
      let pad = a == 0 ? 1 : abs(a) * 0.1
      a -= pad
      b += pad
    }
    var step = niceStep((b - a) / 5)
    var lo = (a / step).rounded(.down) * step
    var hi = (b / step).rounded(.up) * step
    if let bounds {
      lo = max(lo, bounds.lowerBound)
      hi = min(hi, bounds.upperBound)
      if hi <= lo { hi = lo + step }
      step = niceStep((hi - lo) / 5)
      lo = (lo / step).rounded(.down) * step
      hi = (hi / step).rounded(.up) * step
    }
    let count = Int(((hi - lo) / step).rounded())
    let ticks = (0...count).map { lo + Double($0) * step }
    let decimals = decimalsFor(step: step)
    return ChartAxis(
      scale: .linear, lo: lo, hi: hi, ticks: ticks, labels: ticks.map { format($0, decimals: decimals) })
  }

  /// A log axis from the power of ten at or below `minimum` to the one at or above `maximum`
  /// (both positive).
  static func logarithmic(minimum: Double, maximum: Double) -> ChartAxis {
    var lowExp = Foundation.log10(minimum).rounded(.down)
    var highExp = Foundation.log10(maximum).rounded(.up)
    if highExp <= lowExp { highExp = lowExp + 1 }
    if highExp - lowExp > 12 { lowExp = highExp - 12 }
    let lo = pow(10, lowExp), hi = pow(10, highExp)
    var ticks: [Double] = []
    let short = highExp - lowExp <= 2
    for e in stride(from: lowExp, through: highExp, by: 1) {
      let d = pow(10, e)
      ticks.append(d)
      if short && e < highExp { ticks += [2 * d, 5 * d] }
    }
    let labels = ticks.map { t -> String in
      let decimals = max(0, Int(-Foundation.log10(t).rounded(.down)))
      return format(t, decimals: decimals)
    }
    return ChartAxis(scale: .log, lo: lo, hi: hi, ticks: ticks, labels: labels)
  }

  /// Where `value` falls, 0 at `lo` and 1 at `hi` (clamped).
  func fraction(_ value: Double) -> Double {
    let f: Double
    switch scale {
    case .linear: f = (value - lo) / (hi - lo)
    case .log: f = value > 0 ? (Foundation.log10(value) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) : 0
    }
    return min(max(f, 0), 1)
  }

  /// 1, 2, 2.5 or 5 times a power of ten, at or above `rough`.
  static func niceStep(_ rough: Double) -> Double {
    guard rough > 0, rough.isFinite else { return 1 }
    let magnitude = pow(10, Foundation.log10(rough).rounded(.down))
    let n = rough / magnitude
    let factor: Double = n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10
    return factor * magnitude
  }

  /// The decimals that show every multiple of `step` exactly.
  static func decimalsFor(step: Double) -> Int {
    for d in 0...8 {
      let scaled = step * pow(10, Double(d))
      if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return d }
    }
    return 8
  }

  /// `value` with `decimals` decimals ("-0" printed as "0").
  static func format(_ value: Double, decimals: Int) -> String {
    let s = String(format: "%.\(decimals)f", value)
    return Double(s) == 0 ? String(format: "%.\(decimals)f", 0.0) : s
  }
}
