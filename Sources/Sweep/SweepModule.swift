/// The sweep layer (experiment files, store, scheduler) arrives with issue #4.
public enum SweepModule {
  /// The tool's version, stored with every checkpoint and trial.
  public static let toolVersion = "0.1.0"
}
