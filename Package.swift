// swift-tools-version: 6.1
import PackageDescription

// KANLib's hand-written kernels (B-splines, AdamW) use SIMD types; on x86-64 they are compiled
// for Haswell (AVX2 + FMA, 2013 and later) so those types map to 256-bit registers.
// `-fno-math-errno` lets `squareRoot()` on SIMD lanes become one vector instruction: with errno
// semantics (glibc's default) every lane is a scalar sqrt plus a libm call for negative input.
#if arch(x86_64)
  let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell", "-Xcc", "-fno-math-errno"])
  ]
#else
  let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]
#endif

let package = Package(
  name: "kan-sweep",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "KANLib", targets: ["KANLib"]),
    .library(name: "Sweep", targets: ["Sweep"]),
    .library(name: "Report", targets: ["Report"]),
    .executable(name: "sweep", targets: ["SweepCommand"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .target(
      name: "KANLib",
      dependencies: ["COpenBLAS", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: kernelSettings
    ),
    .target(
      name: "Sweep",
      dependencies: [
        "KANLib", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    .target(
      name: "Report",
      dependencies: ["Sweep", "KANLib"]
    ),
    .executableTarget(
      name: "SweepCommand",
      dependencies: [
        "KANLib", "Sweep", "Report",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "TestServices", path: "Tests/TestServices"),
    .testTarget(name: "KANLibTests", dependencies: ["KANLib"]),
    .testTarget(
      name: "SweepTests", dependencies: ["Sweep", "KANLib", "TestServices"], exclude: ["Fixtures"]),
    .testTarget(
      name: "ReportTests", dependencies: ["Report", "Sweep", "KANLib", "TestServices"],
      exclude: ["Snapshots"]),
    .testTarget(
      name: "SweepCommandTests", dependencies: ["SweepCommand", "Sweep", "TestServices"],
      exclude: ["Snapshots"]),
  ],
  swiftLanguageModes: [.v6]
)
