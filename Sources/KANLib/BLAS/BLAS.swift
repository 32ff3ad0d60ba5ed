import COpenBLAS

/// The one place where kan-sweep calls OpenBLAS and LAPACK.
///
/// Every matrix is row-major unless a function says otherwise. `Int32` narrowing for the C
/// interface happens only here.
public enum BLAS {
  /// Whether an operand of a matrix product is used as stored or transposed.
  public enum Transpose: Sendable {
    /// Use the matrix as stored.
    case none
    /// Use the transpose of the stored matrix.
    case transpose

    fileprivate var cblas: CBLAS_TRANSPOSE {
      self == .none ? CblasNoTrans : CblasTrans
    }
  }

  /// `C = alpha·op(A)·op(B) + beta·C` in single precision on row-major buffers.
  ///
  /// Concretely: `op(A)` is [m, k], `op(B)` is [k, n], `C` is [m, n]; `lda`, `ldb` and `ldc` are
  /// the row strides of the stored matrices.
  public static func sgemm(
    _ transposeA: Transpose, _ transposeB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transposeA.cblas, transposeB.cblas,
      narrow(m), narrow(n), narrow(k), alpha, a, narrow(lda), b, narrow(ldb), beta, c, narrow(ldc))
  }

  /// The least-squares method used by ``leastSquares(columnMajor:rows:columns:rightHandSides:rhs:method:)``.
  public enum LeastSquaresMethod: Sendable {
    /// LAPACK `sgels`: QR (rows ≥ columns) or LQ (rows < columns, minimum-norm solution);
    /// requires full rank.
    case qr
    /// LAPACK `sgelsy`: complete orthogonal factorization with column pivoting; tolerates rank
    /// deficiency and returns the minimum-norm solution (what `torch.linalg.lstsq` uses on CPU).
    case completeOrthogonal
  }

  /// Failure of a LAPACK least-squares solve.
  public struct LeastSquaresError: Error, CustomStringConvertible {
    /// The LAPACK routine that failed.
    public let routine: String
    /// LAPACK's `INFO` code.
    public let info: Int

    /// A readable explanation.
    public var description: String {
      info > 0
        ? "\(routine): the matrix is rank deficient (diagonal element \(info) of the factor is zero)"
        : "\(routine): argument \(-info) has an illegal value"
    }
  }

  /// Solves `min ‖A·X − B‖` for X in place, always on one BLAS thread (bitwise reproducible).
  ///
  /// Concretely: `a` is column-major [rows, columns] and is destroyed; `rhs` is column-major
  /// [max(rows, columns), rightHandSides] holding B in its first `rows` rows; on return its first
  /// `columns` rows hold X.
  public static func leastSquares(
    columnMajor a: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
    rightHandSides: Int, rhs: UnsafeMutablePointer<Float>, method: LeastSquaresMethod
  ) throws(LeastSquaresError) {
    // LAPACK's blocked factorizations give different rounding with more BLAS threads; these
    // systems are small, so solve them single-threaded and keep results independent of threads.
    let savedThreads = threads
    if savedThreads != 1 { threads = 1 }
    defer { if savedThreads != 1 { threads = savedThreads } }
    var m = narrow(rows)
    var n = narrow(columns)
    var nrhs = narrow(rightHandSides)
    var lda = max(1, m)
    var ldb = max(1, max(m, n))
    var info: Int32 = 0
    var workQuery: Float = 0
    var lwork: Int32 = -1
    switch method {
    case .qr:
      var trans = Int8(UInt8(ascii: "N"))
      sgels_(&trans, &m, &n, &nrhs, a, &lda, rhs, &ldb, &workQuery, &lwork, &info, 1)
      lwork = Int32(workQuery)
      var work = [Float](repeating: 0, count: Int(max(1, lwork)))
      sgels_(&trans, &m, &n, &nrhs, a, &lda, rhs, &ldb, &work, &lwork, &info, 1)
      if info != 0 { throw LeastSquaresError(routine: "sgels", info: Int(info)) }
    case .completeOrthogonal:
      var pivots = [Int32](repeating: 0, count: columns)
      var rcond = Float.ulpOfOne * Float(max(rows, columns))
      var rank: Int32 = 0
      sgelsy_(
        &m, &n, &nrhs, a, &lda, rhs, &ldb, &pivots, &rcond, &rank, &workQuery, &lwork, &info)
      lwork = Int32(workQuery)
      var work = [Float](repeating: 0, count: Int(max(1, lwork)))
      sgelsy_(&m, &n, &nrhs, a, &lda, rhs, &ldb, &pivots, &rcond, &rank, &work, &lwork, &info)
      if info != 0 { throw LeastSquaresError(routine: "sgelsy", info: Int(info)) }
    }
  }

  /// The number of threads OpenBLAS uses for one call.
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(narrow(max(1, newValue))) }
  }

  /// The kernel family OpenBLAS selected when it loaded (e.g. `SkylakeX`, `Haswell`, `Prescott`).
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  private static func narrow(_ value: Int) -> Int32 {
    precondition(value <= Int(Int32.max), "BLAS: size \(value) does not fit the 32-bit interface")
    return Int32(value)
  }
}
