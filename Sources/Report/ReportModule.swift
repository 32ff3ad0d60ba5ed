/// The report layer (HTML and CSV comparisons) arrives with issue #5.
public enum ReportModule {}
