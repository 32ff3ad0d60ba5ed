/// What an MLP trial is sized to match: its KAN twin's parameters or FLOPs (KANbeFair's fair
/// comparison), or nothing.
public enum MatchKind: String, Sendable, Codable, CaseIterable, Hashable {
  /// The MLP's widths are `hidden_layers` as written.
  case none
  /// The MLP's widths are scaled so its parameter count is closest to its KAN twin's.
  case params
  /// The MLP's widths are scaled so its FLOPs are closest to its KAN twin's.
  case flops
}
