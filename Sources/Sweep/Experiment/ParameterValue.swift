import KANLib

/// One value of a sweep parameter, typed as the training configuration needs it.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
  /// An integer (grid_size, epochs, …).
  case integer(Int)
  /// A number (learning_rate, …).
  case number(Double)
  /// A name (dataset, model, …).
  case text(String)
  /// A list of integers (hidden_layers).
  case integers([Int])
  /// A list of numbers (grid_range).
  case numbers([Double])

  /// The value as written in tables and commands.
  public var description: String {
    switch self {
    case .integer(let value): return String(value)
    case .number(let value): return formatNumber(value)
    case .text(let value): return value
    case .integers(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
    case .numbers(let values): return "[" + values.map(formatNumber).joined(separator: ", ") + "]"
    }
  }
}

/// A short, exact rendering of a number (`0.001`, `1e-05`).
func formatNumber(_ value: Double) -> String {
  let float = Float(value)
  return "\(float)"
}

/// What type each sweep parameter takes.
enum ParameterKind {
  case integer
  case number
  case choice([String])
  case integers
  case numbers

  static func of(_ name: String) -> ParameterKind? {
    switch name {
    case "grid_size", "spline_order", "epochs", "batch_size", "update_grid_every",
      "update_grid_epochs", "train_limit", "test_limit", "seed":
      return .integer
    case "grid_eps", "scale_noise", "scale_base", "scale_spline", "learning_rate", "weight_decay",
      "lr_gamma", "regularize_activation", "regularize_entropy":
      return .number
    case "dataset": return .choice(DatasetName.allCases.map(\.rawValue))
    case "model": return .choice(ModelKind.allCases.map(\.rawValue))
    case "base_activation": return .choice(BaseActivation.allCases.map(\.rawValue))
    case "lr_schedule": return .choice(LearningRateSchedule.allCases.map(\.rawValue))
    case "normalization": return .choice(Normalization.allCases.map(\.rawValue))
    case "hidden_layers": return .integers
    case "grid_range": return .numbers
    default: return nil
    }
  }

  var typeName: String {
    switch self {
    case .integer: return "an integer"
    case .number: return "a number"
    case .choice(let names): return "one of " + names.joined(separator: ", ")
    case .integers: return "a list of integers"
    case .numbers: return "a list of numbers"
    }
  }
}

extension TrainingConfiguration {
  /// Parameters that only affect KAN models.
  public static let kanOnlyParameterNames = [
    "grid_size", "spline_order", "grid_range", "grid_eps", "scale_noise", "scale_base",
    "scale_spline",
    "update_grid_every", "update_grid_epochs", "regularize_activation", "regularize_entropy",
  ]

  /// Sets the KAN-only fields to their defaults (they do not change an MLP's training).
  mutating func resetKANOnlyFields() {
    let defaults = TrainingConfiguration()
    gridSize = defaults.gridSize
    splineOrder = defaults.splineOrder
    gridRange = defaults.gridRange
    gridEps = defaults.gridEps
    scaleNoise = defaults.scaleNoise
    scaleBase = defaults.scaleBase
    scaleSpline = defaults.scaleSpline
    updateGridEvery = defaults.updateGridEvery
    updateGridEpochs = defaults.updateGridEpochs
    regularizeActivation = defaults.regularizeActivation
    regularizeEntropy = defaults.regularizeEntropy
  }

  /// Sets the parameter `name` (a sweep file's snake_case key) to `value`.
  mutating func apply(_ name: String, _ value: ParameterValue) {
    switch (name, value) {
    case ("dataset", .text(let v)): dataset = DatasetName(rawValue: v) ?? dataset
    case ("model", .text(let v)): model = ModelKind(rawValue: v) ?? model
    case ("base_activation", .text(let v)):
      baseActivation = BaseActivation(rawValue: v) ?? baseActivation
    case ("lr_schedule", .text(let v)): lrSchedule = LearningRateSchedule(rawValue: v) ?? lrSchedule
    case ("normalization", .text(let v)):
      normalization = Normalization(rawValue: v) ?? normalization
    case ("hidden_layers", .integers(let v)): hiddenLayers = v
    case ("grid_range", .numbers(let v)): gridRange = v.map { Float($0) }
    case ("grid_size", .integer(let v)): gridSize = v
    case ("spline_order", .integer(let v)): splineOrder = v
    case ("epochs", .integer(let v)): epochs = v
    case ("batch_size", .integer(let v)): batchSize = v
    case ("update_grid_every", .integer(let v)): updateGridEvery = v
    case ("update_grid_epochs", .integer(let v)): updateGridEpochs = v
    case ("train_limit", .integer(let v)): trainLimit = v
    case ("test_limit", .integer(let v)): testLimit = v
    case ("grid_eps", .number(let v)): gridEps = Float(v)
    case ("scale_noise", .number(let v)): scaleNoise = Float(v)
    case ("scale_base", .number(let v)): scaleBase = Float(v)
    case ("scale_spline", .number(let v)): scaleSpline = Float(v)
    case ("learning_rate", .number(let v)): learningRate = Float(v)
    case ("weight_decay", .number(let v)): weightDecay = Float(v)
    case ("lr_gamma", .number(let v)): lrGamma = Float(v)
    case ("regularize_activation", .number(let v)): regularizeActivation = Float(v)
    case ("regularize_entropy", .number(let v)): regularizeEntropy = Float(v)
    default: preconditionFailure("TrainingConfiguration.apply: \(name) cannot take \(value)")
    }
  }
}
