import Foundation
import KANLib

/// What a KAN learned, in inline SVG: small multiples of the learned activations φ(x) of each
/// layer (pykan's `plot`), each edge shaded by its L1 norm, and for 28×28 image inputs the map
/// of how much each pixel feeds the first layer.
struct ActivationGrid {
  /// The layers' sampled activations, first layer first.
  var layers: [LearnedActivations]
  /// Most edges drawn per layer; larger layers show their strongest edges by L1.
  var maximumEdges = 48

  /// One `<svg>` per layer.
  func svgs() -> [String] {
    layers.enumerated().map { index, layer in self.layer(index, layer) }
  }

  /// The strongest edges of `layer` by L1 (all of them when there are few), strongest first.
  static func strongest(_ layer: LearnedActivations, count: Int) -> [(output: Int, input: Int)] {
    let order = layer.l1.indices.sorted { a, b in
      layer.l1[a] != layer.l1[b] ? layer.l1[a] > layer.l1[b] : a < b
    }
    return order.prefix(count).map { ($0 / layer.inFeatures, $0 % layer.inFeatures) }
  }

  private func layer(_ index: Int, _ layer: LearnedActivations) -> String {
    let edges = Self.strongest(layer, count: maximumEdges)
    let columns = 8
    let (cellWidth, cellHeight) = (64.0, 46.0)
    let top = 34.0
    let rows = (edges.count + columns - 1) / columns
    let width = cellWidth * Double(columns) + 12
    let height = top + cellHeight * Double(rows) + 8
    let strongest = Double(layer.l1.max() ?? 1)
    let total = layer.inFeatures * layer.outFeatures
    let title =
      "layer \(index): \(layer.inFeatures) → \(layer.outFeatures), "
      + (edges.count < total
        ? "the \(edges.count) strongest of \(total) edges by L1" : "all \(total) edges")
    var out =
      "<svg class=\"chart wide-ish\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    out += "<title>\(escape(title))</title>"
    out += "<text x=\"\(f(width / 2))\" y=\"14\" class=\"ct\">\(escape(title))</text>"
    out +=
      "<text x=\"\(f(width / 2))\" y=\"27\" class=\"lg\" text-anchor=\"middle\">φ(x) = base + spline over each input's grid range; darker = larger L1</text>"
    for (position, edge) in edges.enumerated() {
      let x0 = 6 + cellWidth * Double(position % columns)
      let y0 = top + cellHeight * Double(position / columns)
      let ys = layer.values(output: edge.output, input: edge.input).map(Double.init)
      let xs = layer.inputs(of: edge.input).map(Double.init)
      let l1 = Double(layer.l1[edge.output * layer.inFeatures + edge.input])
      let opacity = 0.2 + 0.8 * (strongest > 0 ? l1 / strongest : 0)
      let (low, high) = (ys.min() ?? 0, ys.max() ?? 0)
      let span = high > low ? high - low : 1
      let (xLow, xHigh) = (xs.first ?? 0, xs.last ?? 1)
      let xSpan = xHigh > xLow ? xHigh - xLow : 1
      let points = zip(xs, ys).map { x, y in
        "\(f(x0 + 3 + (x - xLow) / xSpan * (cellWidth - 10))),\(f(y0 + 30 - (y - low) / span * 24))"
      }.joined(separator: " ")
      out +=
        "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(cellWidth - 4))\" height=\"\(f(cellHeight - 4))\" class=\"cellbox\"/>"
      out +=
        "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#1f2d3d\" stroke-opacity=\"\(String(format: "%.2f", opacity))\" stroke-width=\"1.4\"><title>\(escape("x\(edge.input) → y\(edge.output): L1 \(label(l1)), range \(label(low)) … \(label(high))"))</title></polyline>"
      out +=
        "<text x=\"\(f(x0 + 3))\" y=\"\(f(y0 + cellHeight - 7))\" class=\"pt\">\(edge.input)→\(edge.output)</text>"
    }
    return out + "</svg>"
  }

  /// For a first layer with 784 = 28×28 inputs: Σ_o L1(φ_{o,i}) per pixel i as a grey map
  /// (darker = the pixel feeds the network more), or nil for other inputs.
  func inputMap() -> String? {
    guard let first = layers.first, first.inFeatures == 28 * 28 else { return nil }
    var importance = [Double](repeating: 0, count: first.inFeatures)
    for output in 0..<first.outFeatures {
      for input in 0..<first.inFeatures {
        importance[input] += Double(first.l1[output * first.inFeatures + input])
      }
    }
    let high = importance.max() ?? 1
    let pixel = 9.0
    let size = pixel * 28
    var out =
      "<svg class=\"chart square\" viewBox=\"0 0 \(Int(size + 20)) \(Int(size + 44))\" role=\"img\">"
    out += "<title>input importance</title>"
    out +=
      "<text x=\"\(f((size + 20) / 2))\" y=\"14\" class=\"ct\">which pixels matter (Σ L1 of layer 0)</text>"
    for row in 0..<28 {
      for column in 0..<28 {
        let value = importance[row * 28 + column]
        let shade = high > 0 ? value / high : 0
        let grey = Int(255 - 235 * shade)
        out +=
          "<rect x=\"\(f(10 + pixel * Double(column)))\" y=\"\(f(24 + pixel * Double(row)))\" width=\"\(pixel)\" height=\"\(pixel)\" fill=\"rgb(\(grey),\(grey),\(grey))\"/>"
      }
    }
    out +=
      "<text x=\"10\" y=\"\(f(size + 38))\" class=\"lg\">darker = more; max Σ L1 \(escape(label(high)))</text>"
    return out + "</svg>"
  }
}
