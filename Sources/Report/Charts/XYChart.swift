import Foundation

/// A scatter/line chart in inline SVG with axes, ticks, labels, legend, optional error bars and
/// an optional Pareto frontier.
struct XYChart {
  struct Point {
    var x: Double
    var y: Double
    var error: Double? = nil
    var tooltip: String = ""
  }

  struct Series {
    var name: String
    var points: [Point]
    var connect = false
    /// A fixed colour (grey for pruned trials) instead of the palette's.
    var color: String? = nil
    /// Whether the legend lists it.
    var inLegend = true
    /// A dashed line without markers (fitted lines).
    var dashed = false
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series]
  var logX = false
  var logY = false
  var frontier: [Point] = []
  var xTickLabels: [Double: String]? = nil
  var width = 440.0
  /// Room for the legend at the top right.
  var legendWidth = 130.0
  var height = 290.0

  func svg() -> String {
    let left = 62.0
    let right = width - 14
    let top = 28.0
    let bottom = height - 46
    let points = series.flatMap(\.points)
    guard !points.isEmpty else { return "" }
    let x = Scale(values: points.map(\.x), start: left, end: right, logarithmic: logX)
    let yValues = points.flatMap { p in [p.y - (p.error ?? 0), p.y + (p.error ?? 0)] }
    let y = Scale(values: yValues, start: bottom, end: top, logarithmic: logY)
    var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    out += "<title>\(escape(title))</title>"
    out += "<text x=\"\(Int(width / 2))\" y=\"16\" class=\"ct\">\(escape(title))</text>"
    out += "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\" class=\"ax\"/>"
    out += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" class=\"ax\"/>"
    let xTicks = xTickLabels.map { $0.keys.sorted() } ?? x.ticks()
    for tick in xTicks {
      let px = f(x(tick))
      out += "<line x1=\"\(px)\" y1=\"\(bottom)\" x2=\"\(px)\" y2=\"\(bottom + 4)\" class=\"ax\"/>"
      out +=
        "<text x=\"\(px)\" y=\"\(f(bottom + 15))\" class=\"tx\">\(escape(xTickLabels?[tick] ?? (logX ? logLabel(tick) : label(tick))))</text>"
    }
    for tick in y.ticks() {
      let py = f(y(tick))
      out += "<line x1=\"\(left - 4)\" y1=\"\(py)\" x2=\"\(right)\" y2=\"\(py)\" class=\"gr\"/>"
      out +=
        "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 3))\" class=\"ty\">\(logY ? logLabel(tick) : label(tick))</text>"
    }
    out +=
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 8))\" class=\"al\">\(escape(xLabel))</text>"
    out +=
      "<text transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" class=\"al\">\(escape(yLabel))</text>"
    if frontier.count > 1 {
      let path = frontier.sorted { $0.x < $1.x }.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(
        separator: " ")
      out += "<polyline points=\"\(path)\" class=\"pareto\"/>"
    }
    for (index, item) in series.enumerated() {
      let color = item.color ?? palette[index % palette.count]
      if (item.connect || item.dashed) && item.points.count > 1 {
        let path = item.points.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(separator: " ")
        let dash = item.dashed ? " stroke-dasharray=\"5 3\"" : ""
        out +=
          "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dash)/>"
      }
      if item.dashed { continue }
      for point in item.points {
        let px = f(x(point.x))
        if let error = point.error, error > 0 {
          out +=
            "<line x1=\"\(px)\" y1=\"\(f(y(point.y - error)))\" x2=\"\(px)\" y2=\"\(f(y(point.y + error)))\" stroke=\"\(color)\"/>"
        }
        out +=
          "<circle cx=\"\(px)\" cy=\"\(f(y(point.y)))\" r=\"\(item.connect ? 2 : 3)\" fill=\"\(color)\" fill-opacity=\"0.75\">"
        if !point.tooltip.isEmpty { out += "<title>\(escape(point.tooltip))</title>" }
        out += "</circle>"
      }
    }
    if series.count > 1 || frontier.count > 1 {
      var legendY = top + 4
      for (index, item) in series.enumerated() where item.inLegend {
        out +=
          "<rect x=\"\(f(right - legendWidth))\" y=\"\(f(legendY - 7))\" width=\"8\" height=\"8\" fill=\"\(item.color ?? palette[index % palette.count])\"/>"
        out +=
          "<text x=\"\(f(right - legendWidth + 12))\" y=\"\(f(legendY))\" class=\"lg\">\(escape(String(item.name.prefix(Int(legendWidth / 5)))))</text>"
        legendY += 12
      }
      if frontier.count > 1 {
        out +=
          "<line x1=\"\(f(right - 122))\" y1=\"\(f(legendY - 3))\" x2=\"\(f(right - 112))\" y2=\"\(f(legendY - 3))\" class=\"pareto\"/>"
        out +=
          "<text x=\"\(f(right - 108))\" y=\"\(f(legendY))\" class=\"lg\">Pareto frontier</text>"
      }
    }
    return out + "</svg>"
  }
}

/// One decimal place: short, stable coordinates.
func f(_ value: Double) -> String {
  String(format: "%.1f", value)
}
