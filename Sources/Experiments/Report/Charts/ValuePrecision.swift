import Foundation

/// How many decimals a set of values needs so that their differences show: about two
/// significant digits of the spread between the smallest and the largest, at least enough for
/// values below one to show two significant digits, at most four. (A fixed two decimals printed
/// every attack AUC between 0.496 and 0.504 as "0.50".)
enum ValuePrecision {
  static func decimals(for values: [Double]) -> Int {
    let finite = values.filter(\.isFinite)
    guard let lo = finite.min(), let hi = finite.max() else { return 2 }
    let magnitude = max(abs(lo), abs(hi))
    var d: Int
    let spread = hi - lo
    if spread > 0 {
      d = Int((-log10(spread)).rounded(.up)) + 1
    } else {
      d = magnitude >= 10 ? 1 : 2
    }
    if magnitude > 0 && magnitude < 1 { d = max(d, Int((-log10(magnitude)).rounded(.up)) + 1) }
    return min(max(d, 0), 4)
  }
}
