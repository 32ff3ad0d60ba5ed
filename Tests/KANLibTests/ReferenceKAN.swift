import Foundation
import KANLib

/// An independent, dense, Double-precision KAN written from efficient-kan's formulas, used to
/// check our Float backward passes by central finite differences.
struct ReferenceKAN {
  let network: KAN
  let grid: [Double]

  init(_ network: KAN) {
    self.network = network
    grid = network.buffers.storage.array.map(Double.init)
  }

  /// Dense Cox–de Boor bases of one input for `layer`, as efficient-kan's `b_splines`.
  func bases(_ x: Double, layer: KANLinear, feature: Int) -> [Double] {
    let c = layer.configuration
    let knots = Array(grid[(layer.grid.offset + feature * c.knotCount)...].prefix(c.knotCount))
    return Self.bases(x, knots: knots, order: c.splineOrder)
  }

  /// Cox–de Boor bases of x on `knots` (order 0 is 1 on [tⱼ, tⱼ₊₁)).
  static func bases(_ x: Double, knots: [Double], order: Int) -> [Double] {
    var values = (0..<(knots.count - 1)).map { x >= knots[$0] && x < knots[$0 + 1] ? 1.0 : 0.0 }
    for k in 1...order {
      values = (0..<(values.count - 1)).map { i in
        (x - knots[i]) / (knots[i + k] - knots[i]) * values[i]
          + (knots[i + k + 1] - x) / (knots[i + k + 1] - knots[i + 1]) * values[i + 1]
      }
    }
    return values
  }

  func activation(_ x: Double, _ kind: BaseActivation) -> Double {
    switch kind {
    case .silu: return x / (1 + exp(-x))
    case .identity: return x
    case .zero: return 0
    case .relu: return max(0, x)
    case .tanh: return tanh(x)
    }
  }

  /// Network output [batch][out] for flat parameters `p` (arena layout) and input `x`.
  func forward(parameters p: [Double], input x: [[Double]]) -> [[Double]] {
    var current = x
    for layer in network.layers {
      let c = layer.configuration
      current = current.map { row in
        let basis = (0..<c.inFeatures).map { bases(row[$0], layer: layer, feature: $0) }
        return (0..<c.outFeatures).map { o in
          var sum = 0.0
          for i in 0..<c.inFeatures {
            let edge = o * c.inFeatures + i
            sum += activation(row[i], c.baseActivation) * p[layer.baseWeight.offset + edge]
            let scale = layer.splineScaler.map { p[$0.offset + edge] } ?? 1
            for m in 0..<c.coefficientCount {
              sum +=
                basis[i][m] * p[layer.splineWeight.offset + edge * c.coefficientCount + m] * scale
            }
          }
          return sum
        }
      }
    }
    return current
  }
}

/// Central differences of `function` at `point`, one coordinate at a time.
func finiteDifferences(_ point: [Double], step: Double = 1e-6, _ function: ([Double]) -> Double)
  -> [Double]
{
  var probe = point
  return point.indices.map { index in
    probe[index] = point[index] + step
    let plus = function(probe)
    probe[index] = point[index] - step
    let minus = function(probe)
    probe[index] = point[index]
    return (plus - minus) / (2 * step)
  }
}

/// The worst relative error of `actual` against `expected`, with an absolute floor.
func worstRelativeError(_ actual: [Float], _ expected: [Double], floor: Double = 1e-3) -> Double {
  zip(actual, expected).map { abs(Double($0) - $1) / max(floor, abs($1)) }.max() ?? 0
}
