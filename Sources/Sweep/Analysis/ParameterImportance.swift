import Foundation
import KANLib

// How the importance is found
// ---------------------------
// A regression random forest learns the metric from the swept parameters. Each tree is grown on
// a bootstrap sample of the trials (drawn with replacement; at most 2,000 draws, so a sweep of
// 50,000 trials costs about as much as one of 2,000). A node tries a random subset of the
// parameters (all of them when there are at most three, otherwise a third; a parameter that is
// constant in the node does not count, the next one is drawn instead) and takes the split with
// the smallest summed squared error of its two halves:
//   - a numeric parameter is split at a midpoint between two neighbouring distinct values;
//   - a categorical parameter has its categories sorted by their mean metric in the node and is
//     split somewhere along that order (for squared error this finds the best of all two-way
//     groupings); the node keeps the set of categories that go left, unseen ones go right.
// A "not applicable" value (NaN, or any other non-finite value) is its own value: numeric
// columns map it below the column's minimum, categorical columns give it a category of its own.
// Nodes stop splitting at depth 12, below four trials, or when the metric is constant.
//
// A trial is "out of bag" for the trees whose sample missed it; averaging only those trees gives
// an honest prediction, and 1 − SSE/SST over those predictions is the out-of-bag R². Shuffling
// one parameter's column among the trials breaks its link with the metric while keeping its
// distribution; the R² lost by that (averaged over three shuffles, negative losses counted as
// zero) is the parameter's importance, normalized to sum to 1. With more than 2,000 trials the
// out-of-bag figures are measured on a random subset of 2,000 of them, which keeps the cost of
// the 1 + 3 × columns passes over the forest bounded.
//
// Beside it stands each parameter's Spearman rank correlation with the metric: the Pearson
// correlation of the ranks, tied values sharing their average rank.
//
// Every random draw comes from one `KANRandom` generator started at `seed`, in a fixed order, so
// the same inputs and seed give the same figures.

/// Which swept parameters mattered for a metric: a random forest's permutation importance beside
/// each parameter's Spearman rank correlation with the metric.
public struct ParameterImportance: Sendable, Equatable {
  /// One swept parameter's value in every trial.
  public struct Column: Sendable {
    /// The parameter's name.
    public var name: String
    /// One value per trial, aligned with the metric: a category index (0, 1, 2, …) for a
    /// categorical parameter, the raw value (log10 for a log-scaled one) otherwise; NaN when the
    /// parameter does not apply to the trial.
    public var values: [Double]
    /// Whether `values` are category indexes rather than numbers.
    public var isCategorical: Bool

    /// Creates a column.
    public init(name: String, values: [Double], isCategorical: Bool = false) {
      self.name = name
      self.values = values
      self.isCategorical = isCategorical
    }
  }

  /// One parameter's figures.
  public struct Entry: Sendable, Equatable {
    /// The parameter's name.
    public var parameter: String
    /// Drop in the forest's out-of-bag R² when this parameter's column is permuted (≥ 0 after
    /// clamping negatives to 0), normalized so the entries sum to 1 (all 0 when the forest
    /// explains nothing).
    public var importance: Double
    /// Spearman rank correlation of the parameter with the metric (nil for a categorical
    /// parameter with more than two categories, or a constant column).
    public var correlation: Double?

    /// Creates an entry.
    public init(parameter: String, importance: Double, correlation: Double?) {
      self.parameter = parameter
      self.importance = importance
      self.correlation = correlation
    }
  }

  /// The parameters, by importance (descending), ties by name.
  public var entries: [Entry]
  /// The forest's out-of-bag R²: how much of the metric's variation it explains.
  public var outOfBagR2: Double
  /// The trials used: those with a finite metric.
  public var trialCount: Int

  /// Creates a result from its parts.
  public init(entries: [Entry], outOfBagR2: Double, trialCount: Int) {
    self.entries = entries
    self.outOfBagR2 = outOfBagR2
    self.trialCount = trialCount
  }

  /// Fits a random forest of `trees` trees to `metric` from `columns` and reports each column's
  /// permutation importance and Spearman correlation.
  ///
  /// Rows whose metric is not finite are dropped. Each tree is fit on a bootstrap sample of the
  /// rows, of at most 2,000 draws (so a sweep with more than 2,000 trials is subsampled per
  /// tree); with more than 2,000 rows the out-of-bag R² and the importances are measured on a
  /// seeded random subset of 2,000 rows. When the out-of-bag R² is not positive the forest
  /// explains nothing and every importance is 0. `trees` below 1 counts as 1. Deterministic for
  /// given inputs and `seed`.
  ///
  /// - Returns: nil when there are no columns, a column's length differs from the metric's, or
  ///   fewer than 8 metric values are finite.
  public static func compute(
    columns: [Column], metric: [Double], trees: Int = 100, seed: UInt64 = 0
  ) -> ParameterImportance? {
    guard !columns.isEmpty, columns.allSatisfy({ $0.values.count == metric.count }) else {
      return nil
    }
    let rows = metric.indices.filter { metric[$0].isFinite }
    guard rows.count >= 8 else { return nil }
    let finiteMetric = rows.map { metric[$0] }
    // The forest learns the metric rescaled to [−1, 1] (R² and the splits do not change under
    // that, and squared errors of huge metrics cannot overflow); halves keep each step finite.
    let low = finiteMetric.min() ?? 0
    let high = finiteMetric.max() ?? 0
    let center = low / 2 + high / 2
    let halfRange = high / 2 - low / 2
    let target = finiteMetric.map { halfRange > 0 ? ($0 / 2 - center / 2) / (halfRange / 2) : 0 }
    let matrix = FeatureMatrix(columns: columns, rows: rows)
    var random = KANRandom(seed: seed)

    // The rows the out-of-bag figures are measured on.
    var evaluationRows = Array(0..<matrix.rowCount)
    if evaluationRows.count > ForestSettings.evaluationLimit {
      for index in 0..<ForestSettings.evaluationLimit {
        evaluationRows.swapAt(index, index + random.below(evaluationRows.count - index))
      }
      evaluationRows = Array(evaluationRows[0..<ForestSettings.evaluationLimit])
    }

    // Grow the forest, noting for each tree the evaluation rows its sample missed.
    var grower = TreeGrower(matrix: matrix, target: target)
    var outOfBag = OutOfBagSet(rows: evaluationRows, target: target)
    var inBagStamp = [Int](repeating: -1, count: matrix.rowCount)
    let sampleSize = min(matrix.rowCount, ForestSettings.sampleLimit)
    var forest: [RegressionTree] = []
    forest.reserveCapacity(max(1, trees))
    for tree in 0..<max(1, trees) {
      var sample = [Int](repeating: 0, count: sampleSize)
      for index in 0..<sampleSize {
        let row = random.below(matrix.rowCount)
        sample[index] = row
        inBagStamp[row] = tree
      }
      let model = grower.grow(sample: sample, random: &random)
      forest.append(model)
      outOfBag.addTree(model, matrix: matrix) { inBagStamp[$0] != tree }
    }

    // Baseline out-of-bag R², then the loss when each column is shuffled.
    let baseline = outOfBag.r2(forest: forest, matrix: matrix)
    var importances = [Double](repeating: 0, count: columns.count)
    if baseline > 0 {
      var permutation = Array(0..<evaluationRows.count)
      var shuffled = [Double](repeating: 0, count: evaluationRows.count)
      for feature in 0..<columns.count {
        var loss = 0.0
        for _ in 0..<ForestSettings.permutationRepeats {
          for index in stride(from: permutation.count - 1, to: 0, by: -1) {
            permutation.swapAt(index, random.below(index + 1))
          }
          for index in 0..<evaluationRows.count {
            shuffled[index] = matrix.value(
              row: evaluationRows[permutation[index]], feature: feature)
          }
          let permuted = outOfBag.r2(
            forest: forest, matrix: matrix, feature: feature, values: shuffled)
          loss += baseline - permuted
        }
        importances[feature] = max(0, loss / Double(ForestSettings.permutationRepeats))
      }
      let total = importances.reduce(0, +)
      if total > 0 {
        importances = importances.map { $0 / total }
      } else {
        importances = importances.map { _ in 0 }
      }
    }

    var entries: [Entry] = []
    for (index, column) in columns.enumerated() {
      entries.append(
        Entry(
          parameter: column.name, importance: importances[index],
          correlation: correlation(column: column, rows: rows, target: finiteMetric)))
    }
    entries.sort {
      $0.importance != $1.importance ? $0.importance > $1.importance : $0.parameter < $1.parameter
    }
    return ParameterImportance(entries: entries, outOfBagR2: baseline, trialCount: rows.count)
  }

  /// The Spearman correlation of `column` (at `rows`) with `target`, leaving out rows where the
  /// column is not finite; nil for a categorical column with more than two categories.
  static func correlation(column: Column, rows: [Int], target: [Double]) -> Double? {
    var x: [Double] = []
    var y: [Double] = []
    for (index, row) in rows.enumerated() where column.values[row].isFinite {
      x.append(column.values[row])
      y.append(target[index])
    }
    if column.isCategorical {
      let categories = x.sorted()
      let distinct = zip(categories, categories.dropFirst()).filter { $0 != $1 }.count + 1
      guard distinct <= 2 else { return nil }
    }
    return spearman(x, y)
  }

  /// Spearman's rank correlation of paired samples: Pearson's correlation of their ranks, tied
  /// values sharing their average rank. Nil when either side is constant or there are fewer than
  /// two pairs.
  static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    let rankX = averageRanks(x)
    let rankY = averageRanks(y)
    let mean = Double(x.count + 1) / 2
    var sumXY = 0.0
    var sumXX = 0.0
    var sumYY = 0.0
    for index in x.indices {
      let dx = rankX[index] - mean
      let dy = rankY[index] - mean
      sumXY += dx * dy
      sumXX += dx * dx
      sumYY += dy * dy
    }
    guard sumXX > 0, sumYY > 0 else { return nil }
    return min(1, max(-1, sumXY / (sumXX * sumYY).squareRoot()))
  }

  /// Ranks 1…n of `values`, ties sharing the average of the ranks they span.
  static func averageRanks(_ values: [Double]) -> [Double] {
    let sorted = values.enumerated().map { (value: $1, index: $0) }.sorted { $0.value < $1.value }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < sorted.count {
      var end = start + 1
      while end < sorted.count && sorted[end].value == sorted[start].value { end += 1 }
      let rank = Double(start + end + 1) / 2  // the mean of ranks start+1 … end
      for index in start..<end { ranks[sorted[index].index] = rank }
      start = end
    }
    return ranks
  }
}

/// The forest's fixed settings.
private enum ForestSettings {
  /// Most bootstrap draws per tree.
  static let sampleLimit = 2_000
  /// Most rows the out-of-bag figures are measured on.
  static let evaluationLimit = 2_000
  /// Deepest a node may be (the root is depth 0).
  static let maxDepth = 12
  /// Fewest sample rows in a leaf.
  static let minLeaf = 2
  /// Shuffles per column for the permutation importance.
  static let permutationRepeats = 3
}

/// The columns encoded for the forest: numeric values with "not applicable" mapped below the
/// minimum, categorical values as dense category indexes with "not applicable" as the last one.
private struct FeatureMatrix {
  let rowCount: Int
  let featureCount: Int
  /// Row-major: `byRow[row * featureCount + feature]`.
  let byRow: [Double]
  /// The number of categories of each categorical feature; 0 for a numeric one.
  let categoryCounts: [Int]

  init(columns: [ParameterImportance.Column], rows: [Int]) {
    rowCount = rows.count
    featureCount = columns.count
    var byRow = [Double](repeating: 0, count: rowCount * featureCount)
    var categoryCounts: [Int] = []
    for (feature, column) in columns.enumerated() {
      let values = rows.map { column.values[$0] }
      let finite = values.filter { $0.isFinite }
      if column.isCategorical {
        var categories = finite.sorted()
        var kept = 0
        for index in categories.indices
        where index == 0 || categories[index] != categories[kept - 1] {
          categories[kept] = categories[index]
          kept += 1
        }
        categories.removeLast(categories.count - kept)
        for (row, value) in values.enumerated() {
          byRow[row * featureCount + feature] = Double(
            value.isFinite ? Self.position(of: value, in: categories) : kept)
        }
        categoryCounts.append(kept + (finite.count < values.count ? 1 : 0))
      } else {
        let low = finite.min() ?? 0
        let high = finite.max() ?? 0
        let missing = low - Swift.max(1, high - low, abs(low))
        for (row, value) in values.enumerated() {
          byRow[row * featureCount + feature] = value.isFinite ? value : missing
        }
        categoryCounts.append(0)
      }
    }
    self.byRow = byRow
    self.categoryCounts = categoryCounts
  }

  func value(row: Int, feature: Int) -> Double { byRow[row * featureCount + feature] }

  /// The index of `value` in the sorted, duplicate-free `sorted`, which contains it.
  static func position(of value: Double, in sorted: [Double]) -> Int {
    var low = 0
    var high = sorted.count - 1
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low
  }
}

/// A node of a regression tree. A row goes from an inner node to child `left` or `left + 1`: for
/// a numeric split left when its value ≤ `threshold`, for a categorical split (`categoryOffset`
/// ≥ 0) left when its category is in the node's left set. A leaf is its own left child with
/// threshold +∞, so it keeps every row: a walk of the tree's depth from the root ends at the
/// row's leaf without testing for leaves on the way.
private struct TreeNode {
  var feature: Int32 = 0
  var left: Int32
  /// For a categorical split, where its left set starts in the tree's `categoryBits`, else −1.
  /// The set is a bitset over categories `categoryBase ..< categoryBase + categorySpan` (the
  /// lowest to the highest left category); categories outside that range go right.
  var categoryOffset: Int32 = -1
  var categoryBase: Int32 = 0
  var categorySpan: Int32 = 0
  var threshold = Double.infinity
  /// The mean metric of the node's sample rows: the prediction of a leaf.
  var prediction = 0.0
}

/// A fitted regression tree.
private struct RegressionTree {
  var nodes: [TreeNode]
  /// The left sets of the categorical splits, 64 categories a word.
  var categoryBits: [UInt64]
  /// The depth of the deepest leaf.
  var depth: Int
  /// Whether each feature is split on somewhere in the tree.
  var usesFeature: [Bool]
}

/// A (value, metric) pair, sorted by value to search a numeric split.
private struct ValuePair {
  var value: Double
  var target: Double
}

/// Grows regression trees, reusing its buffers from tree to tree.
private struct TreeGrower {
  let matrix: FeatureMatrix
  let target: [Double]
  /// Features tried per node.
  let tryCount: Int
  /// The current tree's sample, copied out so the search reads contiguous memory: feature-major
  /// values (`sampleValues[feature * sampleCount + slot]`) and metric values.
  var sampleValues: [Double] = []
  var sampleTargets: [Double] = []
  var sampleCount = 0
  /// Sample slots; each node owns a contiguous range.
  var order: [Int] = []
  var pairs: [ValuePair] = []
  var categoryCount: [Int]
  var categorySum: [Double]
  var present: [Int] = []
  var featureOrder: [Int]
  var nodes: [TreeNode] = []
  var categoryBits: [UInt64] = []
  /// Marks the left categories of the split being applied.
  var isLeft: [Bool]
  var depth = 0
  // The best split found so far in the current node.
  var bestGain = 0.0
  var bestFeature = -1
  var bestThreshold = 0.0
  var bestCategories: [Int] = []

  init(matrix: FeatureMatrix, target: [Double]) {
    self.matrix = matrix
    self.target = target
    let features = matrix.featureCount
    tryCount = features <= 3 ? features : Swift.max(1, features / 3)
    let categories = matrix.categoryCounts.max() ?? 0
    categoryCount = [Int](repeating: 0, count: categories)
    isLeft = [Bool](repeating: false, count: categories)
    categorySum = [Double](repeating: 0, count: categories)
    featureOrder = Array(0..<features)
  }

  mutating func grow(sample: [Int], random: inout KANRandom) -> RegressionTree {
    sampleCount = sample.count
    sampleTargets = sample.map { target[$0] }
    let width = matrix.featureCount
    sampleValues = [Double](repeating: 0, count: sampleCount * width)
    for (slot, row) in sample.enumerated() {
      for feature in 0..<width {
        sampleValues[feature * sampleCount + slot] = matrix.byRow[row * width + feature]
      }
    }
    order = Array(0..<sampleCount)
    if pairs.count < sampleCount {
      pairs = [ValuePair](repeating: ValuePair(value: 0, target: 0), count: sampleCount)
    }
    nodes = [TreeNode(left: 0)]
    categoryBits = []
    depth = 0
    fill(node: 0, from: 0, to: sample.count, level: 0, random: &random)
    var usesFeature = [Bool](repeating: false, count: matrix.featureCount)
    for (index, node) in nodes.enumerated() where Int(node.left) != index {
      usesFeature[Int(node.feature)] = true
    }
    return RegressionTree(
      nodes: nodes, categoryBits: categoryBits, depth: depth, usesFeature: usesFeature)
  }

  /// Makes node `node` a leaf for `order[from..<to]`, or splits it and fills its children.
  mutating func fill(node: Int, from: Int, to: Int, level: Int, random: inout KANRandom) {
    var sum = 0.0
    var low = Double.infinity
    var high = -Double.infinity
    for index in from..<to {
      let y = sampleTargets[order[index]]
      sum += y
      low = Swift.min(low, y)
      high = Swift.max(high, y)
    }
    let mean = sum / Double(to - from)
    nodes[node] = TreeNode(left: Int32(node), prediction: mean)
    depth = Swift.max(depth, level)
    guard level < ForestSettings.maxDepth, to - from >= 2 * ForestSettings.minLeaf, low < high
    else { return }

    bestGain = 0
    bestFeature = -1
    var tried = 0
    for index in 0..<matrix.featureCount {
      featureOrder.swapAt(index, index + random.below(matrix.featureCount - index))
      let feature = featureOrder[index]
      let varies =
        matrix.categoryCounts[feature] > 0
        ? searchCategorical(feature: feature, from: from, to: to, mean: mean)
        : searchNumeric(feature: feature, from: from, to: to, mean: mean)
      if varies {
        tried += 1
        if tried == tryCount { break }
      }
    }
    guard bestFeature >= 0 else { return }

    var split = TreeNode(
      feature: Int32(bestFeature), left: Int32(nodes.count), prediction: nodes[node].prediction)
    var middle = from
    let featureBase = bestFeature * sampleCount
    if matrix.categoryCounts[bestFeature] > 0 {
      let base = bestCategories.min() ?? 0
      let span = (bestCategories.max() ?? 0) - base + 1
      let offset = categoryBits.count
      categoryBits.append(contentsOf: repeatElement(0, count: (span + 63) / 64))
      for category in bestCategories {
        let bit = category - base
        categoryBits[offset + bit / 64] |= 1 << UInt64(bit % 64)
        isLeft[category] = true
      }
      split.categoryOffset = Int32(offset)
      split.categoryBase = Int32(base)
      split.categorySpan = Int32(span)
      for index in from..<to
      where isLeft[Int(sampleValues[featureBase + order[index]])] {
        order.swapAt(index, middle)
        middle += 1
      }
      for category in bestCategories { isLeft[category] = false }
    } else {
      split.threshold = bestThreshold
      for index in from..<to
      where sampleValues[featureBase + order[index]] <= bestThreshold {
        order.swapAt(index, middle)
        middle += 1
      }
    }
    nodes[node] = split
    nodes.append(TreeNode(left: split.left))
    nodes.append(TreeNode(left: split.left + 1))
    fill(node: Int(split.left), from: from, to: middle, level: level + 1, random: &random)
    fill(node: Int(split.left) + 1, from: middle, to: to, level: level + 1, random: &random)
  }

  /// Searches the best threshold of a numeric feature; false when it is constant in the node.
  /// Gains are measured on metric values centered at the node's `mean`: a split's gain is
  /// sumL²/nL + sumR²/nR, the drop in summed squared error.
  mutating func searchNumeric(feature: Int, from: Int, to: Int, mean: Double) -> Bool {
    let count = to - from
    let base = feature * sampleCount
    var total = 0.0
    for index in 0..<count {
      let slot = order[from + index]
      let y = sampleTargets[slot] - mean
      pairs[index] = ValuePair(value: sampleValues[base + slot], target: y)
      total += y
    }
    pairs[0..<count].sort { $0.value < $1.value }
    guard pairs[0].value < pairs[count - 1].value else { return false }
    let minLeaf = ForestSettings.minLeaf
    var leftSum = 0.0
    for index in 0..<(count - minLeaf) {
      leftSum += pairs[index].target
      let leftCount = index + 1
      guard leftCount >= minLeaf, pairs[index].value < pairs[index + 1].value else { continue }
      let gain = Self.splitGain(
        leftSum: leftSum, leftCount: leftCount, total: total, count: count)
      if gain > bestGain {
        bestGain = gain
        bestFeature = feature
        let lower = pairs[index].value
        let upper = pairs[index + 1].value
        let middle = lower + (upper - lower) / 2
        // The midpoint, unless rounding (or an overflow) put it outside [lower, upper).
        bestThreshold = middle >= lower && middle < upper ? middle : lower
      }
    }
    return true
  }

  /// The variance reduction of a split, up to constants: S_L²/n_L + S_R²/n_R with S the sums of
  /// the (centred) targets on each side.
  static func splitGain(leftSum: Double, leftCount: Int, total: Double, count: Int) -> Double {
    let rightSum = total - leftSum
    return leftSum * leftSum / Double(leftCount) + rightSum * rightSum / Double(count - leftCount)
  }

  /// Searches the best grouping of a categorical feature's categories, sorted by their mean
  /// metric in the node; false when only one category is present.
  mutating func searchCategorical(feature: Int, from: Int, to: Int, mean: Double) -> Bool {
    let base = feature * sampleCount
    present.removeAll(keepingCapacity: true)
    var total = 0.0
    for index in from..<to {
      let slot = order[index]
      let category = Int(sampleValues[base + slot])
      if categoryCount[category] == 0 { present.append(category) }
      let y = sampleTargets[slot] - mean
      categoryCount[category] += 1
      categorySum[category] += y
      total += y
    }
    defer {
      for category in present {
        categoryCount[category] = 0
        categorySum[category] = 0
      }
    }
    guard present.count > 1 else { return false }
    let counts = categoryCount
    let sums = categorySum
    present.sort {
      let left = sums[$0] / Double(counts[$0])
      let right = sums[$1] / Double(counts[$1])
      return left != right ? left < right : $0 < $1
    }
    let count = to - from
    let minLeaf = ForestSettings.minLeaf
    var leftSum = 0.0
    var leftCount = 0
    for index in 0..<(present.count - 1) {
      leftSum += sums[present[index]]
      leftCount += counts[present[index]]
      guard leftCount >= minLeaf, count - leftCount >= minLeaf else { continue }
      let gain = Self.splitGain(
        leftSum: leftSum, leftCount: leftCount, total: total, count: count)
      if gain > bestGain {
        bestGain = gain
        bestFeature = feature
        bestCategories = Array(present[0...index])
      }
    }
    return true
  }
}

/// The evaluation rows each tree's sample missed, and the out-of-bag R² over them.
private struct OutOfBagSet {
  /// The evaluation rows.
  let rows: [Int]
  let target: [Double]
  /// Positions into `rows`, tree after tree; tree t's are `positions[starts[t]..<starts[t + 1]]`.
  var positions: [Int32] = []
  var starts: [Int] = [0]
  /// How many trees each evaluation row is out of bag for.
  var counts: [Int]
  /// Each tree's unaltered prediction for its out-of-bag rows, aligned with `positions`.
  var baseline: [Double] = []

  init(rows: [Int], target: [Double]) {
    self.rows = rows
    self.target = target
    counts = [Int](repeating: 0, count: rows.count)
  }

  /// Records the next tree's out-of-bag evaluation rows and its predictions for them.
  mutating func addTree(_ tree: RegressionTree, matrix: FeatureMatrix, isOutOfBag: (Int) -> Bool) {
    let first = positions.count
    for (position, row) in rows.enumerated() where isOutOfBag(row) {
      positions.append(Int32(position))
      counts[position] += 1
    }
    starts.append(positions.count)
    baseline.append(contentsOf: repeatElement(0, count: positions.count - first))
    Self.predict(
      tree, matrix: matrix, rows: rows, positions: positions[first...], feature: -1,
      replacements: [], into: &baseline[first...])
  }

  /// Writes `tree`'s prediction for each of `rows[positions]` into `output`, with feature
  /// `feature`'s value replaced by `replacements[position]` when `feature` ≥ 0. Rows walk the
  /// tree four at a time (independent walks overlap their memory latency).
  static func predict(
    _ tree: RegressionTree, matrix: FeatureMatrix, rows: [Int], positions: ArraySlice<Int32>,
    feature: Int, replacements: [Double], into output: inout ArraySlice<Double>
  ) {
    let width = matrix.featureCount
    let depth = tree.depth
    matrix.byRow.withUnsafeBufferPointer { byRow in
      tree.nodes.withUnsafeBufferPointer { nodes in
        tree.categoryBits.withUnsafeBufferPointer { bits in
          replacements.withUnsafeBufferPointer { replacements in
            positions.withUnsafeBufferPointer { positions in
              output.withUnsafeMutableBufferPointer { output in
                /// One step down from node `index` for the row at `position`, whose values start at
                /// `byRow[base]`.
                func step(_ index: Int, _ position: Int, _ base: Int) -> Int {
                  let node = nodes[index]
                  let split = Int(node.feature)
                  let x = split == feature ? replacements[position] : byRow[base + split]
                  if node.categoryOffset < 0 {
                    return Int(node.left) + (x <= node.threshold ? 0 : 1)
                  }
                  let bit = Int(x) - Int(node.categoryBase)
                  let goesLeft =
                    bit >= 0 && bit < Int(node.categorySpan)
                    && (bits[Int(node.categoryOffset) + (bit >> 6)] >> UInt64(bit & 63)) & 1 != 0
                  return Int(node.left) + (goesLeft ? 0 : 1)
                }
                var slot = 0
                while slot + 4 <= positions.count {
                  let (p0, p1) = (Int(positions[slot]), Int(positions[slot + 1]))
                  let (p2, p3) = (Int(positions[slot + 2]), Int(positions[slot + 3]))
                  let (b0, b1) = (rows[p0] * width, rows[p1] * width)
                  let (b2, b3) = (rows[p2] * width, rows[p3] * width)
                  var (a, b, c, d) = (0, 0, 0, 0)
                  for _ in 0..<depth {
                    a = step(a, p0, b0)
                    b = step(b, p1, b1)
                    c = step(c, p2, b2)
                    d = step(d, p3, b3)
                  }
                  output[slot] = nodes[a].prediction
                  output[slot + 1] = nodes[b].prediction
                  output[slot + 2] = nodes[c].prediction
                  output[slot + 3] = nodes[d].prediction
                  slot += 4
                }
                while slot < positions.count {
                  let position = Int(positions[slot])
                  let base = rows[position] * width
                  var index = 0
                  for _ in 0..<depth { index = step(index, position, base) }
                  output[slot] = nodes[index].prediction
                  slot += 1
                }
              }
            }
          }
        }
      }
    }
  }

  /// 1 − SSE/SST over the rows with at least one out-of-bag tree, predicting with each row's
  /// `values[position]` in place of feature `feature` when given (trees that never split on that
  /// feature keep their recorded predictions); 0 when no row has an out-of-bag tree or the metric
  /// is constant over them.
  func r2(
    forest: [RegressionTree], matrix: FeatureMatrix, feature: Int? = nil, values: [Double] = []
  ) -> Double {
    var sums = [Double](repeating: 0, count: rows.count)
    var predictions = baseline
    if let feature {
      for (tree, model) in forest.enumerated() where model.usesFeature[feature] {
        let range = starts[tree]..<starts[tree + 1]
        Self.predict(
          model, matrix: matrix, rows: rows, positions: positions[range], feature: feature,
          replacements: values, into: &predictions[range])
      }
    }
    for (slot, entry) in positions.enumerated() { sums[Int(entry)] += predictions[slot] }
    var used = 0
    var total = 0.0
    for position in rows.indices where counts[position] > 0 {
      used += 1
      total += target[rows[position]]
    }
    guard used > 0 else { return 0 }
    let mean = total / Double(used)
    var residual = 0.0
    var spread = 0.0
    for position in rows.indices where counts[position] > 0 {
      let y = target[rows[position]]
      let error = y - sums[position] / Double(counts[position])
      residual += error * error
      spread += (y - mean) * (y - mean)
    }
    guard spread > 0 else { return 0 }
    return 1 - residual / spread
  }
}
