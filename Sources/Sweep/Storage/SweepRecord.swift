/// A row of the `sweep` table: one experiment file as submitted.
public struct SweepRecord: Sendable {
  /// Row id.
  public var id: Int64
  /// The sweep's name (unique; a slug of a free-text name).
  public var name: String
  /// The name as the file wrote it, when it differs from `name`.
  public var displayName: String?
  /// `name`, with the free-text name beside it when the file wrote one.
  public var title: String {
    displayName.map { $0 == name ? name : "\(name) (“\($0)”)" } ?? name
  }

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

  /// Reads a row of `SELECT * FROM sweep`.
  init(row: SQLRow) throws(SQLRowError) {
    id = try row.get("id")
    name = try row.get("name")
    displayName =
      row.columns.positions["display_name"] == nil ? nil : try row.get("display_name")
    description = try row.get("description")
    method = try row.get("method")
    metricName = try row.get("metric_name")
    metricGoal = try row.get("metric_goal")
    filePath = try row.get("file_path")
    fileText = try row.get("file_text")
    fileHash = try row.get("file_hash")
    createdAt = try row.get("created_at")
  }
}
