import Foundation
import KANLib
import Testing

/// Parameters and FLOPs by KANbeFair's counting rules, and MLPs sized to match a KAN.
@Suite struct ModelCostTests {
  static var mnistKAN: TrainingConfiguration {
    var configuration = TrainingConfiguration()
    configuration.dataset = .mnist
    configuration.hiddenLayers = [64]
    return configuration
  }

  /// [784, 64, 10], G 5, k 3, SiLU, by hand:
  /// parameters 784·64·(5 + 3 + 2) + 64·10·10 = 508,160 (the network's own count);
  /// FLOPs per edge 9·3·(5 + 4.5) + 2·5 − 7.5 + 1 = 260, 50,816 edges → 13,212,160, plus the
  /// base branch 5·784 + 2·50,176 + 5·64 + 2·640 = 105,872 → 13,318,032.
  @Test func kanCountsFollowKANbeFair() throws {
    let cost = Self.mnistKAN.cost()
    #expect(cost.parameters == 508_160)
    #expect(cost.flops == 13_318_032)
    var generator = KANRandom(seed: 0, stream: 0)
    let network = try KAN(widths: [784, 64, 10], generator: &generator)
    #expect(network.parameterCount == cost.parameters)
  }

  /// MLP [784, h, 10]: parameters 785h + 10(h + 1) = 795h + 10; FLOPs 2·784h + 5h + 2·10h + 5·10
  /// = 1593h + 50 (the activation counted on the output layer too, as KANbeFair does).
  @Test func mlpCountsFollowKANbeFair() {
    let cost = ModelCost.mlp(widths: [784, 100, 10], activation: .silu)
    #expect(cost.parameters == 79_510)
    #expect(cost.flops == 159_350)
    let network = MLP(widths: [784, 100, 10], activation: .silu)
    #expect(network.parameterCount == cost.parameters)
  }

  /// Matching parameters: 795h + 10 closest to 508,160 is h = 639 (508,015; h = 640 gives
  /// 508,810). Matching FLOPs: 1593h + 50 closest to 13,318,032 is h = 8360.
  @Test func matchedMLPWidthsAreTheClosest() {
    var mlp = Self.mnistKAN
    mlp.model = .mlp
    #expect(mlp.networkHiddenLayers == [64])
    mlp.match = .params
    #expect(mlp.networkHiddenLayers == [639])
    #expect(mlp.cost().parameters == 508_015)
    #expect(mlp.layerWidths == [784, 639, 10])
    mlp.match = .flops
    #expect(mlp.networkHiddenLayers == [8360])
    // A KAN ignores match.
    var kan = Self.mnistKAN
    kan.match = .params
    #expect(kan.networkHiddenLayers == [64])
  }

  /// Several hidden layers scale by one factor: [64, 32] keeps its 2 : 1 shape, and no other
  /// first width comes closer to the KAN's parameters.
  @Test func deeperMLPsKeepTheirShape() {
    var mlp = Self.mnistKAN
    mlp.hiddenLayers = [64, 32]
    mlp.model = .mlp
    mlp.match = .params
    var kan = mlp
    kan.model = .kan
    kan.match = .none
    let target = kan.cost().parameters
    let widths = mlp.networkHiddenLayers
    #expect(widths.count == 2 && abs(widths[0] - 2 * widths[1]) <= 1)
    let achieved = abs(mlp.cost().parameters - target)
    for other in [widths[0] - 1, widths[0] + 1] {
      let scaled = [other, Int((Double(32 * other) / 64).rounded())]
      let cost = ModelCost.mlp(widths: [784] + scaled + [10], activation: .silu)
      #expect(abs(cost.parameters - target) >= achieved)
    }
  }

  /// The trainer builds the matched MLP, and a grid-extended KAN is costed at its last grid.
  @Test func trainerAndScheduleUseTheCost() throws {
    var mlp = TrainingConfiguration()
    mlp.dataset = .toyExpSin
    mlp.model = .mlp
    mlp.hiddenLayers = [5]
    mlp.match = .params
    mlp.trainLimit = 16
    mlp.testLimit = 16
    mlp.epochs = 1
    // KAN [2, 5, 1] G5 k3: 15·10 = 150 parameters; MLP [2, h, 1]: 4h + 1 → h = 37 (149).
    #expect(mlp.networkHiddenLayers == [37])
    let data = try TrainingData.load(for: mlp, dataDirectory: nil, verify: true)
    let trainer = try Trainer(configuration: mlp, data: data)
    #expect(trainer.network.widths == [2, 37, 1] && trainer.network.parameterCount == 149)

    var kan = mlp
    kan.model = .kan
    kan.gridSize = 3
    kan.gridSchedule = [3, 10]
    kan.gridExtendEvery = 1
    kan.epochs = 2
    #expect(kan.cost().parameters == 15 * 15)
    #expect(kan.cost(gridSize: 3).parameters == 15 * 8)
    var empty = mlp
    empty.hiddenLayers = []
    #expect(empty.problems.map(\.key) == ["match"])
  }
}
