/// The shape and hyperparameters of one ``KANConv2d`` layer: `torch.nn.Conv2d`'s geometry
/// (zero padding) plus efficient-kan's KAN hyperparameters.
public struct KANConv2dConfiguration: Sendable, Codable, Equatable, Hashable {
  /// Input channels C.
  public var inChannels: Int
  /// Output channels O.
  public var outChannels: Int
  /// Kernel rows and columns (kh, kw).
  public var kernel: [Int]
  /// Stride per axis (sh, sw).
  public var stride: [Int]
  /// Zero padding per axis (ph, pw), added on both sides.
  public var padding: [Int]
  /// Dilation per axis (dh, dw).
  public var dilation: [Int]
  /// Blocked connections: input and output channels split into this many groups.
  public var groups: Int
  /// Grid, spline order, scales, activation and grid range of every group's KAN.
  public var hyperparameters: KANConfiguration

  /// Creates a configuration; square kernels, strides, paddings and dilations from one number.
  public init(
    inChannels: Int, outChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int = 0,
    dilation: Int = 1, groups: Int = 1, hyperparameters: KANConfiguration = KANConfiguration()
  ) {
    self.inChannels = inChannels
    self.outChannels = outChannels
    kernel = [kernelSize, kernelSize]
    self.stride = [stride, stride]
    self.padding = [padding, padding]
    self.dilation = [dilation, dilation]
    self.groups = groups
    self.hyperparameters = hyperparameters
  }

  /// Input channels per group, C/groups.
  public var groupInChannels: Int { inChannels / max(groups, 1) }
  /// Output channels per group, O/groups.
  public var groupOutChannels: Int { outChannels / max(groups, 1) }
  /// One patch's features per group: (C/groups)·kh·kw, in `unfold` order (channel, kernel row,
  /// kernel column).
  public var patchWidth: Int { groupInChannels * kernel[0] * kernel[1] }

  /// The KANLinear each group applies to its patches: patchWidth → O/groups.
  public var groupLayer: KANLinearConfiguration {
    KANLinearConfiguration(
      inFeatures: patchWidth, outFeatures: groupOutChannels, hyperparameters: hyperparameters)
  }

  /// The output size for an input of `height` × `width`, as `torch.nn.Conv2d`:
  /// ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1 per axis (≤ 0 when the kernel does not fit).
  public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
    func size(_ n: Int, _ axis: Int) -> Int {
      let span = n + 2 * padding[axis] - dilation[axis] * (kernel[axis] - 1) - 1
      return span < 0 ? 0 : span / stride[axis] + 1
    }
    return (size(height, 0), size(width, 1))
  }

  /// The problems that make this configuration unusable, in words (empty when valid).
  public var problems: [String] {
    var found: [String] = []
    if inChannels < 1 { found.append("in_channels must be at least 1, got \(inChannels)") }
    if outChannels < 1 { found.append("out_channels must be at least 1, got \(outChannels)") }
    if groups < 1 {
      found.append("groups must be at least 1, got \(groups)")
    } else if inChannels % groups != 0 || outChannels % groups != 0 {
      found.append(
        "groups (\(groups)) must divide in_channels (\(inChannels)) and out_channels "
          + "(\(outChannels))")
    }
    for (name, pair, least) in [
      ("kernel_size", kernel, 1), ("stride", stride, 1), ("padding", padding, 0),
      ("dilation", dilation, 1),
    ] where pair.count != 2 || pair.contains(where: { $0 < least }) {
      found.append("\(name) must be two integers of at least \(least), got \(pair)")
    }
    if found.isEmpty { found += groupLayer.problems }
    return found
  }
}
