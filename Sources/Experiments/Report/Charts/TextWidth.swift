/// Text extents for laying out charts without a font engine: advance widths of DejaVu Sans (the
/// sans-serif font of Debian's renderers, and wider than Helvetica or Arial, so text laid out with
/// it fits in browsers too), in ems, rounded up. Characters not in the table count as wide.
enum TextWidth {
  /// Width of `text` at `size` px.
  static func of(_ text: String, size: Double) -> Double {
    text.unicodeScalars.reduce(0) { $0 + em($1) } * size
  }

  /// The advance of one character in ems.
  static func em(_ c: Unicode.Scalar) -> Double {
    switch c {
    case " ": return 0.32
    case "i", "j", "l", "'", "|", "!": return 0.29
    case ".", ",", ":", ";": return 0.33
    case "f", "t", "r", "(", ")", "[", "]", "{", "}", "/", "\\", "-": return 0.41
    case "0"..."9": return 0.64
    case "m", "M", "W", "w", "%", "@": return 1.0
    case "a"..."z": return 0.63
    case "A"..."Z": return 0.78
    case "_", "=", "+", "<", ">", "~", "^", "*", "#", "&", "$", "?", "\"": return 0.84
    case "±", "×", "−", "≥", "≤", "ρ": return 0.84
    default: return 1.0
    }
  }

  /// The height of one line at `size` px (ascent plus descent).
  static func lineHeight(_ size: Double) -> Double { size * 1.2 }
}
