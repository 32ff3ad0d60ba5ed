/// A parallel-coordinates plot of trials in inline SVG: one vertical axis per parameter and the
/// metric, one polyline per trial coloured by the metric. A trial without a value on an axis
/// (an MLP on a KAN-only axis) passes that axis by: its line joins the axes it has, dashed.
struct ParallelCoordinates {
  struct Axis {
    var name: String
    /// One value per trial; categorical axes give category indexes.
    var values: [Double]
    /// Category names for categorical axes.
    var categories: [String]? = nil
  }

  var title: String
  var axes: [Axis]
  var metricName: String
  var metric: [Double]
  var higherIsBetter: Bool
  /// Trials drawn dashed (MLPs), by index.
  var dashed: [Bool] = []
  /// Shown under the title (e.g. that the lines are a sample).
  var note: String = ""

  func svg() -> String {
    guard axes.count >= 2, let count = axes.first?.values.count, count > 0 else { return "" }
    let width = max(900.0, 130.0 * Double(axes.count))
    let height = 300.0
    let top = 34.0
    let bottom = height - 30
    let left = 50.0
    let step = (width - 2 * left) / Double(axes.count - 1)
    let scales = axes.map { Scale(values: $0.values, start: bottom, end: top, padding: 0.02) }
    let finite = metric.filter(\.isFinite)
    let low = finite.min() ?? 0
    let high = finite.max() ?? 1
    var out = "<svg class=\"chart wide\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    out +=
      "<title>\(escape(title))</title><text x=\"\(f(width / 2))\" y=\"14\" class=\"ct\">\(escape(title))</text>"
    out.reserveCapacity(count * axes.count * 14 + 4096)
    for trial in 0..<count {
      var t = high > low && metric[trial].isFinite ? (metric[trial] - low) / (high - low) : 0.5
      if !higherIsBetter { t = 1 - t }
      let dash = dashed.indices.contains(trial) && dashed[trial] ? " stroke-dasharray=\"5 3\"" : ""
      out +=
        "<polyline class=\"pc\"\(dash) stroke=\"hsl(\(Int(10 + 200 * t)),70%,45%)\" points=\""
      var first = true
      for (index, axis) in axes.enumerated() {
        let value = axis.values[trial]
        guard value.isFinite else { continue }
        if !first { out += " " }
        first = false
        out += "\(f(left + step * Double(index))),\(f(scales[index](value)))"
      }
      out += "\"/>"
    }
    for (index, axis) in axes.enumerated() {
      let x = left + step * Double(index)
      out += "<line x1=\"\(f(x))\" y1=\"\(top)\" x2=\"\(f(x))\" y2=\"\(bottom)\" class=\"ax\"/>"
      out += "<text x=\"\(f(x))\" y=\"\(f(bottom + 18))\" class=\"tx\">\(escape(axis.name))</text>"
      let ticks: [(Double, String)] =
        axis.categories.map { names in names.enumerated().map { (Double($0.offset), $0.element) } }
        ?? scales[index].ticks(4).map { ($0, label($0)) }
      if !axis.values.contains(where: \.isFinite) { continue }
      for (value, text) in ticks {
        out +=
          "<text x=\"\(f(x + 3))\" y=\"\(f(scales[index](value) + 3))\" class=\"pt\">\(escape(String(text.prefix(14))))</text>"
      }
    }
    out +=
      "<text x=\"\(f(width - 240))\" y=\"\(f(top - 14))\" class=\"lg\">colour: \(escape(metricName)) (\(higherIsBetter ? "higher" : "lower") = blue)</text>"
    if !note.isEmpty {
      out += "<text x=\"\(f(left))\" y=\"\(f(top - 14))\" class=\"lg\">\(escape(note))</text>"
    }
    return out + "</svg>"
  }
}
