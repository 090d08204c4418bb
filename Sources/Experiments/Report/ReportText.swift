/// Text copied from a results file into a report, made safe for where it lands. A results file
/// may come from anyone (a colleague, a cluster, a download): its metric and method names, options
/// and error messages must not become paths outside the report folder, HTML or links in a
/// rendered Markdown page, formulas in a spreadsheet, or escape sequences on a terminal.
enum ReportText {
  /// The characters a report file name may contain.
  static let fileNameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

  /// A file name for `stem` + `suffix` made of `fileNameCharacters` only, not starting with a
  /// dot, at most 100 characters before the suffix, and not in `taken` (a changed or repeated
  /// name gets `-2`, `-3`, ...). Inserts the name into `taken`.
  static func fileName(_ stem: String, suffix: String, taken: inout Set<String>) -> String {
    var safe = String(stem.prefix(100).map { fileNameCharacters.contains($0) ? $0 : "_" })
    while safe.hasPrefix(".") { safe.removeFirst() }
    if safe.isEmpty { safe = "metric" }
    var name = safe + suffix
    var k = 2
    while !taken.insert(name).inserted {
      name = "\(safe)-\(k)\(suffix)"
      k += 1
    }
    return name
  }

  /// `s` without control characters (C0, DEL, C1: terminal escape sequences, NUL), newlines
  /// and tabs turned into spaces.
  static func printable(_ s: String) -> String {
    String(
      s.unicodeScalars.map { c -> Character in
        c.value < 0x20 || (0x7f...0x9f).contains(c.value) ? " " : Character(c)
      })
  }

  /// `s` as plain Markdown text: HTML's `& < >` as entities, Markdown's link, code and table
  /// punctuation escaped, control characters removed (emphasis marks are left: they are
  /// harmless, and `label_count` stays readable on a terminal).
  static func markdown(_ s: String) -> String {
    var out = ""
    for c in printable(s) {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\\", "`", "[", "]", "|": out += "\\\(c)"
      default: out.append(c)
      }
    }
    return out
  }

  /// `s` as a Markdown code span: a fence of backticks longer than any run inside it (so the
  /// span cannot be closed early); HTML inside a code span is shown, not rendered.
  static func code(_ s: String) -> String {
    let text = printable(s)
    var longest = 0
    var run = 0
    for c in text {
      run = c == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
    return fence + pad + text + pad + fence
  }

  /// A CSV text field: control characters removed, a leading `= + - @` (a formula to a
  /// spreadsheet) neutralised with a quote, and RFC 4180 quoting when needed.
  static func csv(_ s: String) -> String {
    var text = printable(s)
    if let first = text.first, "=+-@".contains(first) { text = "'" + text }
    guard text.contains(where: { $0 == "," || $0 == "\"" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
