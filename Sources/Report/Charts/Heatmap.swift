/// A heatmap in inline SVG: rows × columns of values with a colour scale and the numbers.
struct Heatmap {
  var title: String
  var rowLabel: String
  var columnLabel: String
  var rows: [String]
  var columns: [String]
  /// values[row][column]
  var values: [[Double?]]
  var higherIsBetter: Bool

  func svg() -> String {
    let cell = 52.0
    let left = 70.0
    let top = 54.0
    let width = max(260, left + cell * Double(columns.count) + 20)
    let height = top + cell * Double(rows.count) + 44
    let present = values.flatMap { $0.compactMap { $0 } }.filter(\.isFinite)
    let low = present.min() ?? 0
    let high = present.max() ?? 1
    var out =
      "<svg class=\"chart heat\" style=\"width:\(Int(width))px\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    out +=
      "<title>\(escape(title))</title><text x=\"\(f(width / 2))\" y=\"16\" class=\"ct\">\(escape(title))</text>"
    for (c, name) in columns.enumerated() {
      out +=
        "<text x=\"\(f(left + cell * (Double(c) + 0.5)))\" y=\"\(f(top - 6))\" class=\"tx\">\(escape(name))</text>"
    }
    out +=
      "<text x=\"\(f(left + cell * Double(columns.count) / 2))\" y=\"32\" class=\"al\">\(escape(columnLabel))</text>"
    for (r, name) in rows.enumerated() {
      let y = top + cell * Double(r)
      out +=
        "<text x=\"\(f(left - 6))\" y=\"\(f(y + cell / 2 + 4))\" class=\"ty\">\(escape(name))</text>"
      for c in columns.indices {
        let x = left + cell * Double(c)
        guard let value = values[r][c], value.isFinite else {
          out +=
            "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" class=\"empty\"/>"
          continue
        }
        var t = high > low ? (value - low) / (high - low) : 1
        if !higherIsBetter { t = 1 - t }
        let color = "hsl(\(Int(10 + 120 * t)), 60%, \(Int(82 - 34 * t))%)"
        out +=
          "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"\(color)\"><title>\(escape("\(rowLabel) \(rows[r]), \(columnLabel) \(columns[c]): \(label(value))"))</title></rect>"
        out +=
          "<text x=\"\(f(x + cell / 2 - 1))\" y=\"\(f(y + cell / 2 + 3))\" class=\"hv\">\(label(value))</text>"
      }
    }
    out +=
      "<text transform=\"translate(12 \(f(top + cell * Double(rows.count) / 2))) rotate(-90)\" class=\"al\">\(escape(rowLabel))</text>"
    let legendY = top + cell * Double(rows.count) + 22
    out +=
      "<text x=\"\(f(left))\" y=\"\(f(legendY))\" class=\"lg\">green = better: \(label(low)) … \(label(high))</text>"
    return out + "</svg>"
  }
}
