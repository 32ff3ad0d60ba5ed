import GRDB

extension SweepStore {
  /// Metrics, checkpoints and environments of a sweep, read in one snapshot.
  public func reportRows(sweepID: Int64) throws(StoreError) -> SweepReportRows {
    try read { db in
      var metrics: [(trialID: Int64, epoch: Int, name: String, value: Double)] = []
      var names: [String: String] = [:]
      let cursor = try Row.fetchCursor(
        db,
        sql: """
          SELECT m.trial_id, m.epoch, m.name, m.bits FROM metric m JOIN trial t ON t.id = m.trial_id
          WHERE t.sweep_id = ?
          """, arguments: [sweepID])
      while let row = try cursor.next() {
        let raw: String = row[2]
        let name = names[raw] ?? raw
        names[raw] = name
        let bits: Int64 = row[3]
        metrics.append((row[0], row[1], name, Double(bitPattern: UInt64(bitPattern: bits))))
      }
      let checkpoints = try Row.fetchAll(
        db,
        sql: """
          SELECT a.trial_id, a.sha256 FROM artifact a JOIN trial t ON t.id = a.trial_id
          WHERE t.sweep_id = ? AND a.kind = 'checkpoint'
          """, arguments: [sweepID]
      ).map { (trialID: $0[0] as Int64, sha256: $0[1] as String) }
      let environments = try String.fetchAll(
        db,
        sql: """
          SELECT DISTINCT 'kan-sweep ' || e.tool_version || ', OpenBLAS ' || e.openblas_core || ' × ' ||
            e.blas_threads || ', ' || e.cpu_model || ', ' || e.host || ', ' || e.os ||
            COALESCE(', git ' || substr(e.git_commit, 1, 10), '')
          FROM environment e JOIN trial t ON t.id = e.trial_id WHERE t.sweep_id = ? ORDER BY 1
          """, arguments: [sweepID])
      return SweepReportRows(metrics: metrics, checkpoints: checkpoints, environments: environments)
    }
  }
}
