import Foundation
import KANLib

#if canImport(Glibc)
  import Glibc
#endif

/// Makes OpenBLAS use kernels that match the CPU, and no idle thread pool.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its generic
/// `Prescott` kernels (4–5× slower). It reads `OPENBLAS_CORETYPE` only when it loads, so when
/// the user has not set it and the core is generic on a CPU with AVX-512 (or AVX2), the process
/// re-executes itself once with the variable set. Child processes inherit it.
///
/// OpenBLAS also starts one thread per core when it loads, and those threads spin for a while
/// (measured: ~45 ms of CPU for every `sweep` command on 2 cores, taken from the workers a
/// scheduler is starting). So the same single re-execution sets `OPENBLAS_NUM_THREADS=1` when it
/// is unset; commands raise the count with `--threads` (`openblas_set_num_threads` adds threads).
enum CoreSelection {
  static let genericCores: Set<String> = [
    "prescott", "core2", "nehalem", "katmai", "generic", "unknown",
  ]

  /// The core type matching this CPU's instruction sets, if any.
  static func preferredCoreType() -> String? {
    guard let cpuInfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flagsLine = cpuInfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return nil }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) {
      return "SkylakeX"
    }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
    return nil
  }

  /// Re-executes the current process with `OPENBLAS_CORETYPE` set when that helps; returns
  /// normally otherwise (or if the re-execution fails).
  static func ensureOptimizedKernels() {
    let environment = ProcessInfo.processInfo.environment
    if environment["KAN_SWEEP_CORE_REEXEC"] != nil { return }
    var changes: [(name: String, value: String)] = []
    if (environment["OPENBLAS_CORETYPE"] ?? "").isEmpty,
      genericCores.contains(BLAS.coreName.lowercased()), let core = preferredCoreType()
    {
      changes.append(("OPENBLAS_CORETYPE", core))
    }
    if (environment["OPENBLAS_NUM_THREADS"] ?? "").isEmpty {
      changes.append(("OPENBLAS_NUM_THREADS", "1"))
    }
    guard !changes.isEmpty else { return }
    for change in changes { setenv(change.name, change.value, 1) }
    setenv("KAN_SWEEP_CORE_REEXEC", "1", 1)
    let arguments = CommandLine.arguments
    var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    pointers.append(nil)
    execv("/proc/self/exe", &pointers)
    // execv returns only on failure: carry on as loaded.
    for pointer in pointers { free(pointer) }
    let settings = changes.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    FileHandle.standardError.write(
      Data("warning: could not re-execute with \(settings); using \(BLAS.coreName)\n".utf8))
  }
}
