import Foundation

/// A heatmap in inline SVG: rows × columns of cells, each the mean over seeds with its std.
///
/// Colours do not turn noise into signal: the noise is the pooled seed-to-seed std of the cells
/// (√ of the mean variance of the cells with more than one seed), and every cell within that
/// distance of the best cell takes the best cell's colour; the rest shade by how far beyond it
/// they fall. With one seed per cell there is no noise estimate, and the legend says so.
struct Heatmap {
  /// One cell: mean, std and number of seeds.
  struct Cell {
    var mean: Double
    var std: Double
    var count: Int
  }

  var title: String
  var rowLabel: String
  var columnLabel: String
  var rows: [String]
  var columns: [String]
  /// cells[row][column]
  var cells: [[Cell?]]
  var higherIsBetter: Bool

  /// √(mean variance) over the cells with at least two seeds, or nil when none has.
  var pooledStd: Double? {
    let variances = cells.flatMap { $0.compactMap { $0 } }.filter {
      $0.count > 1 && $0.std.isFinite
    }
    .map { $0.std * $0.std }
    guard !variances.isEmpty else { return nil }
    return (variances.reduce(0, +) / Double(variances.count)).squareRoot()
  }

  /// The colour position of `value`: 1 within the noise band of `best`, falling to 0 at the
  /// worst cell.
  static func shade(_ value: Double, best: Double, worst: Double, noise: Double) -> Double {
    let gap = Swift.abs(best - value)
    let span = Swift.abs(best - worst) - noise
    guard gap > noise, span > 0 else { return 1 }
    return Swift.max(0, 1 - (gap - noise) / span)
  }

  func svg() -> String {
    let cell = 64.0
    let left = 70.0
    let top = 54.0
    let width = max(300, left + cell * Double(columns.count) + 20)
    let height = top + cell * Double(rows.count) + 58
    let present = cells.flatMap { $0.compactMap { $0?.mean } }.filter(\.isFinite)
    let best = (higherIsBetter ? present.max() : present.min()) ?? 0
    let worst = (higherIsBetter ? present.min() : present.max()) ?? 0
    let noise = pooledStd ?? 0
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
        guard let item = cells[r][c], item.mean.isFinite else {
          out +=
            "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" class=\"empty\"/>"
          continue
        }
        let t = Self.shade(item.mean, best: best, worst: worst, noise: noise)
        let color = "hsl(\(Int(10 + 120 * t)), 60%, \(Int(82 - 34 * t))%)"
        let spread = item.count > 1 ? measured(item.std, std: item.std) : "1 seed"
        out +=
          "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"\(color)\"><title>\(escape("\(rowLabel) \(rows[r]), \(columnLabel) \(columns[c]): \(meanAndSpread(item.mean, item.std, count: item.count)) (n=\(item.count))"))</title></rect>"
        out +=
          "<text x=\"\(f(x + cell / 2 - 1))\" y=\"\(f(y + cell / 2 - 2))\" class=\"hv\">\(measured(item.mean, std: item.count > 1 ? item.std : nil))</text>"
        out +=
          "<text x=\"\(f(x + cell / 2 - 1))\" y=\"\(f(y + cell / 2 + 11))\" class=\"hs\">± \(spread)</text>"
      }
    }
    out +=
      "<text transform=\"translate(12 \(f(top + cell * Double(rows.count) / 2))) rotate(-90)\" class=\"al\">\(escape(rowLabel))</text>"
    let legendY = top + cell * Double(rows.count) + 20
    out +=
      "<text x=\"\(f(left))\" y=\"\(f(legendY))\" class=\"lg\">green = better (\(measured(worst, std: pooledStd)) … \(measured(best, std: pooledStd)))</text>"
    let band =
      pooledStd.map {
        "cells within one seed-std (\(measured($0, std: $0))) of the best share its colour"
      } ?? "one seed per cell: no noise estimate, differences may be noise"
    out += "<text x=\"\(f(left))\" y=\"\(f(legendY + 14))\" class=\"lg\">\(escape(band))</text>"
    return out + "</svg>"
  }
}
