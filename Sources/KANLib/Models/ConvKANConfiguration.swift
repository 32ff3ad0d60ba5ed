/// The architecture of a ``ConvKAN``: convkan's MNIST example generalized.
///
/// Concretely, for channels [c₁, …, c_L] (c_L the classes), kernel size k and strides
/// [s₁, …, s_L]: KANConv2d(c₀ → c₁, k, s₁, padding ⌊k/2⌋) → LayerNorm2D(c₁) → … →
/// KANConv2d(c_{L−1} → c_L, k, s_L, padding ⌊k/2⌋) → global average pool. The default is
/// convkan's README model: [1 → 32, stride 1] → LN → [32 → 32, stride 2] → LN → [32 → 10,
/// stride 2] → pool, on 1×28×28 images.
public struct ConvKANConfiguration: Sendable, Codable, Equatable, Hashable {
  /// Input channels.
  public var inputChannels = 1
  /// Input height.
  public var inputHeight = 28
  /// Input width.
  public var inputWidth = 28
  /// Every convolution's output channels, the last one the classes.
  public var channels = [32, 32, 10]
  /// Square kernel size of every convolution.
  public var kernelSize = 3
  /// Every convolution's stride.
  public var strides = [1, 2, 2]
  /// The KAN hyperparameters of every convolution.
  public var hyperparameters = KANConfiguration()

  /// convkan's README model on 1×28×28 images with 10 classes.
  public init() {}

  /// The convolutions, first to last (zero padding ⌊k/2⌋, dilation 1, one group).
  public var convolutions: [KANConv2dConfiguration] {
    zip([inputChannels] + channels.dropLast(), zip(channels, strides)).map { input, pair in
      KANConv2dConfiguration(
        inChannels: input, outChannels: pair.0, kernelSize: kernelSize, stride: pair.1,
        padding: kernelSize / 2, hyperparameters: hyperparameters)
    }
  }

  /// The input size of each convolution, then the last one's output size.
  public var spatialSizes: [(height: Int, width: Int)] {
    var sizes = [(height: inputHeight, width: inputWidth)]
    for layer in convolutions {
      let last = sizes[sizes.count - 1]
      sizes.append(layer.outputSize(height: last.height, width: last.width))
    }
    return sizes
  }

  /// The problems that make this architecture unusable, keyed by parameter name.
  public var problems: [(key: String, message: String)] {
    var found: [(key: String, message: String)] = []
    if channels.isEmpty || channels.contains(where: { $0 < 1 }) {
      found.append(("conv_channels", "needs positive channel counts, got \(channels)"))
    }
    if strides.count != channels.count {
      found.append(
        (
          "conv_strides",
          "needs one stride per convolution (\(channels.count)), got \(strides.count): \(strides)"
        ))
    }
    guard found.isEmpty else { return found }
    if let problem = convolutions.flatMap(\.problems).first {
      found.append(("kernel_size", problem))
    } else if let index = spatialSizes.firstIndex(where: { $0.height < 1 || $0.width < 1 }) {
      found.append(
        (
          "conv_strides",
          "shrink the \(inputHeight)×\(inputWidth) input to nothing at convolution \(index) "
            + "(sizes \(spatialSizes.map { "\($0.height)×\($0.width)" }))"
        ))
    }
    return found
  }
}
