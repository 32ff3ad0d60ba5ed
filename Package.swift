// swift-tools-version: 6.1
import PackageDescription

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
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
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
    .target(name: "KANLib", dependencies: ["COpenBLAS", "CZlib"]),
    .target(name: "Sweep", dependencies: ["KANLib"]),
    .target(name: "Report", dependencies: ["Sweep"]),
    .executableTarget(
      name: "SweepCommand",
      dependencies: [
        "KANLib", "Sweep", "Report",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "KANLibTests", dependencies: ["KANLib"]),
  ],
  swiftLanguageModes: [.v6]
)
