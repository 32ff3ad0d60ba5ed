import GRDB

/// A row of the `sweep` table: one experiment file as submitted.
public struct SweepRecord: Codable, Sendable, FetchableRecord, TableRecord {
  /// The table name.
  public static let databaseTableName = "sweep"
  /// Row id.
  public var id: Int64
  /// The sweep's name (unique).
  public var name: String
  /// The file's description.
  public var description: String
  /// grid or random.
  public var method: String
  /// The metric to optimize, or nil for each dataset's default.
  public var metricName: String?
  /// maximize or minimize, or nil for the metric's natural goal.
  public var metricGoal: String?
  /// The file's path when last submitted.
  public var filePath: String
  /// The file's text when last submitted.
  public var fileText: String
  /// SHA-256 of `fileText`.
  public var fileHash: String
  /// Unix time of the first submission.
  public var createdAt: Double

  enum CodingKeys: String, CodingKey {
    case id, name, description, method
    case metricName = "metric_name"
    case metricGoal = "metric_goal"
    case filePath = "file_path"
    case fileText = "file_text"
    case fileHash = "file_hash"
    case createdAt = "created_at"
  }
}
