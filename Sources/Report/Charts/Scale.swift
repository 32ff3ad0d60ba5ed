import Foundation

/// Maps data values to SVG coordinates, linearly or logarithmically, with "nice" ticks.
struct Scale {
  let lower: Double
  let upper: Double
  let start: Double
  let end: Double
  let logarithmic: Bool

  init(
    values: [Double], start: Double, end: Double, logarithmic: Bool = false, padding: Double = 0.05
  ) {
    let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
    var low = finite.min() ?? 0
    var high = finite.max() ?? 1
    if logarithmic {
      low = Foundation.log10(low)
      high = Foundation.log10(high)
    }
    if low == high {
      low -= 0.5
      high += 0.5
    }
    let pad = (high - low) * padding
    lower = low - pad
    upper = high + pad
    self.start = start
    self.end = end
    self.logarithmic = logarithmic
  }

  func callAsFunction(_ value: Double) -> Double {
    let v = logarithmic ? Foundation.log10(max(value, 1e-300)) : value
    return start + (v - lower) / (upper - lower) * (end - start)
  }

  /// About `count` round tick values inside the domain. Logarithmic scales tick every decade
  /// and, when they span fewer than four decades, 2 and 5 times each decade too.
  func ticks(_ count: Int = 5) -> [Double] {
    if logarithmic {
      let first = Int(Foundation.floor(lower))
      let last = Int(Foundation.ceil(upper))
      let multiples: [Double] = last - first <= 4 ? [1, 2, 5] : [1]
      let step = max(1, (last - first + 1) / (count * 2))
      var result: [Double] = []
      for decade in stride(from: first, through: last, by: step) {
        for multiple in multiples {
          let value = multiple * Foundation.pow(10, Double(decade))
          let position = Foundation.log10(value)
          if position >= lower - 1e-9 && position <= upper + 1e-9 { result.append(value) }
        }
      }
      return result.isEmpty ? [Foundation.pow(10, (lower + upper) / 2)] : result
    }
    let span = upper - lower
    let raw = span / Double(max(1, count))
    let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var value = Foundation.ceil(lower / step) * step
    var result: [Double] = []
    while value <= upper + step * 1e-9 {
      result.append(abs(value) < step * 1e-9 ? 0 : value)
      value += step
    }
    return result
  }
}

/// A compact, stable number for labels.
func label(_ value: Double) -> String {
  if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
  if value != 0 && (abs(value) >= 1e5 || abs(value) < 1e-3) { return String(format: "%.2e", value) }
  var text = String(format: "%.4g", value)
  if text.contains("e") { text = String(format: "%.3e", value) }
  return text
}

/// A tick label on a logarithmic axis: `1e5`, `2e5`, `5e-4`, or plain below 10⁴ and above 10⁻³.
func logLabel(_ value: Double) -> String {
  guard value.isFinite, value > 0 else { return label(value) }
  if value >= 1e-3 && value < 1e4 {
    return String(format: "%g", (value * 1e6).rounded() / 1e6)
  }
  let exponent = Int(Foundation.floor(Foundation.log10(value) + 1e-9))
  let mantissa = (value / Foundation.pow(10, Double(exponent))).rounded()
  return "\(Int(mantissa))e\(exponent)"
}

/// A measured value with as many decimals as its seed-to-seed standard deviation supports (the
/// std's first significant digit); `label` when there is no spread to go by. Every mean and
/// std in the report goes through it, so one number format holds throughout.
func measured(_ value: Double, std: Double?) -> String {
  guard value.isFinite, let std, std.isFinite, std > 0, std >= 1e-9 else { return label(value) }
  let decimals = Swift.max(0, Swift.min(9, -Int(Foundation.floor(Foundation.log10(std)))))
  if Swift.abs(value) >= 1e6 { return String(format: "%.3e", value) }
  return String(format: "%.\(decimals)f", value)
}

/// "mean ± std" in the one format (`measured`); the mean alone for a single seed.
func meanAndSpread(_ mean: Double, _ std: Double, count: Int) -> String {
  guard count > 1, std.isFinite else { return label(mean) }
  if std == 0 { return label(mean) + " ± 0 (identical)" }
  return measured(mean, std: std) + " ± " + measured(std, std: std)
}

/// Escapes text for HTML and SVG.
func escape(_ text: String) -> String {
  var result = ""
  result.reserveCapacity(text.count)
  for character in text {
    switch character {
    case "&": result += "&amp;"
    case "<": result += "&lt;"
    case ">": result += "&gt;"
    case "\"": result += "&quot;"
    case "'": result += "&#39;"
    default: result.append(character)
    }
  }
  return result
}

/// Series colors (colour-blind friendly, Okabe–Ito).
let palette = [
  "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
]
