import Sweep

/// Parameter importance beside correlation, as paired horizontal bars in inline SVG: for each
/// parameter, its share of the random forest's permutation importance (0…1) and its Spearman
/// correlation with the metric (−1…1, "n/a" for categories without an order).
struct ImportanceChart {
  var title: String
  var importance: ParameterImportance

  func svg() -> String {
    let entries = importance.entries
    guard !entries.isEmpty else { return "" }
    let row = 22.0
    let top = 52.0
    let labelWidth = 110.0
    let barWidth = 140.0
    let gap = 30.0
    let width = labelWidth + barWidth * 2 + gap + 30
    let height = top + row * Double(entries.count) + 36
    let importanceLeft = labelWidth
    let correlationCenter = labelWidth + barWidth + gap + barWidth / 2
    var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    out += "<title>\(escape(title))</title>"
    out += "<text x=\"\(f(width / 2))\" y=\"16\" class=\"ct\">\(escape(title))</text>"
    out +=
      "<text x=\"\(f(importanceLeft + barWidth / 2))\" y=\"\(f(top - 10))\" class=\"al\">importance (share)</text>"
    out +=
      "<text x=\"\(f(correlationCenter))\" y=\"\(f(top - 10))\" class=\"al\">Spearman ρ with the metric</text>"
    out +=
      "<line x1=\"\(f(correlationCenter))\" y1=\"\(f(top - 4))\" x2=\"\(f(correlationCenter))\" y2=\"\(f(top + row * Double(entries.count)))\" class=\"ax\"/>"
    for (index, entry) in entries.enumerated() {
      let y = top + row * Double(index)
      out +=
        "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 14))\" class=\"ty\">\(escape(entry.parameter))</text>"
      let length = barWidth * Swift.max(0, Swift.min(1, entry.importance))
      out +=
        "<rect x=\"\(f(importanceLeft))\" y=\"\(f(y + 4))\" width=\"\(f(length))\" height=\"14\" fill=\"#0072B2\"><title>\(escape("\(entry.parameter): importance \(label(entry.importance))"))</title></rect>"
      out +=
        "<text x=\"\(f(importanceLeft + length + 3))\" y=\"\(f(y + 15))\" class=\"pt\">\(String(format: "%.2f", entry.importance))</text>"
      if let rho = entry.correlation {
        let half = barWidth / 2 * Swift.max(-1, Swift.min(1, rho))
        let x = rho >= 0 ? correlationCenter : correlationCenter + half
        out +=
          "<rect x=\"\(f(x))\" y=\"\(f(y + 4))\" width=\"\(f(Swift.abs(half)))\" height=\"14\" fill=\"\(rho >= 0 ? "#009E73" : "#D55E00")\"><title>\(escape("\(entry.parameter): ρ = \(String(format: "%.2f", rho))"))</title></rect>"
        out +=
          "<text x=\"\(f(rho >= 0 ? x + Swift.abs(half) + 3 : x - 3))\" y=\"\(f(y + 15))\" class=\"pt\" text-anchor=\"\(rho >= 0 ? "start" : "end")\">\(String(format: "%+.2f", rho))</text>"
      } else {
        out +=
          "<text x=\"\(f(correlationCenter + 4))\" y=\"\(f(y + 15))\" class=\"pt\">n/a (unordered)</text>"
      }
    }
    let footer =
      "random-forest permutation importance (out of bag): R² "
      + "\(String(format: "%.2f", importance.outOfBagR2)) over \(importance.trialCount) trials"
    out +=
      "<text x=\"6\" y=\"\(f(height - 10))\" class=\"lg\">\(escape(footer))</text>"
    return out + "</svg>"
  }
}
