// swift-tools-version:6.0
// Lethe: a machine-unlearning workbench. See docs/design.md for the layers.
import PackageDescription

/// The kernel target is compiled for this machine's CPU and optimised even in debug builds:
/// the GEMM micro-kernel is useless at -Onone, and tests would otherwise take minutes.
let kernelFlags: [SwiftSetting] = [
  .unsafeFlags(["-Ounchecked", "-target-cpu", "native"])
]

let package = Package(
  name: "Lethe",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "lethe", targets: ["lethe"]),
    .executable(name: "lethe-bench", targets: ["LetheBench"]),
    .executable(name: "lethe-fuzz", targets: ["lethe-fuzz"]),
    .library(name: "Core", targets: ["Core"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // SHA-256 (docs/design.md, "Libraries"): 8× the hand-written one on the data cache's files.
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
  ],
  targets: [
    // Thin C modules over Debian's system libraries.
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
    .systemLibrary(name: "CEdit", path: "Sources/CEdit"),
    .target(
      name: "CLua",
      path: "Sources/CLua",
      exclude: ["README.md"],
      linkerSettings: [.linkedLibrary("lua5.4")]
    ),
    .target(
      name: "LetheKernels",
      dependencies: ["CBLAS"],
      path: "Sources/LetheKernels",
      exclude: ["README.md"],
      swiftSettings: kernelFlags
    ),
    .target(
      name: "Core",
      dependencies: [
        "LetheKernels", "CZlib", "CJPEG", "CPNG", .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Sources/Core",
      exclude: ["README.md"]
    ),
    .target(name: "Methods", dependencies: ["Core"], path: "Sources/Methods", exclude: ["README.md"]),
    .target(
      name: "Host",
      dependencies: [
        "Core", "Methods", "CLua", "CEdit", "LetheKernels",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/Host",
      exclude: ["README.md"]
    ),
    .executableTarget(name: "lethe", dependencies: ["Host"], path: "Sources/lethe", exclude: ["README.md"]),
    // Fuzz targets over every parser a user may be handed, and their two drivers (docs/fuzzing.md).
    .target(name: "Fuzzing", dependencies: ["Core", "Methods"], path: "Sources/Fuzzing", exclude: ["README.md"]),
    .executableTarget(
      name: "lethe-fuzz",
      dependencies: ["Fuzzing", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "Sources/lethe-fuzz", exclude: ["README.md"]),
    .executableTarget(name: "LetheBench", dependencies: ["Core"], path: "Sources/LetheBench",
      exclude: ["README.md"]),
    .testTarget(name: "KernelTests", dependencies: ["LetheKernels"], path: "Tests/KernelTests"),
    .testTarget(name: "CoreTests", dependencies: ["Core"], path: "Tests/CoreTests"),
    .testTarget(name: "FuzzTests", dependencies: ["Fuzzing"], path: "Tests/FuzzTests"),
    .testTarget(name: "MethodsTests", dependencies: ["Methods"], path: "Tests/MethodsTests"),
    .testTarget(name: "HostTests", dependencies: ["Host"], path: "Tests/HostTests"),
  ]
)
