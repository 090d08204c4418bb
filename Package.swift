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
    .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
    .systemLibrary(name: "CEdit", path: "Sources/CEdit"),
    .systemLibrary(name: "CLibSVM", path: "Sources/CLibSVM"),
    .target(
      name: "CLua",
      path: "Sources/CLua",
      exclude: ["README.md"],
      linkerSettings: [.linkedLibrary("lua5.4")]
    ),
    // Lethe's own C helpers (AVX-512 intrinsics and the like), header-only, inlined into LetheKernels.
    .target(name: "CLetheKernels", path: "Sources/CLetheKernels", exclude: ["README.md"]),
    .target(
      name: "LetheKernels",
      dependencies: ["CBLAS", "CLetheKernels"],
      path: "Sources/LetheKernels",
      exclude: ["README.md"],
      swiftSettings: kernelFlags
    ),
    .target(
      name: "Core",
      dependencies: [
        "LetheKernels", "CZlib", "CJPEG", "CPNG", "CLAPACK", "CLibSVM",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Sources/Core",
      exclude: ["README.md"]
    ),
    .target(name: "Methods", dependencies: ["Core"], path: "Sources/Methods", exclude: ["README.md"]),
    .target(
      name: "Experiments", dependencies: ["Methods", "Core"], path: "Sources/Experiments", exclude: ["README.md"]),
    .target(
      name: "Host",
      dependencies: [
        "Core", "Methods", "Experiments", "CLua", "CEdit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/Host",
      exclude: ["README.md", "Prelude/README.md"],
      // The Lua prelude, compiled into the module: no resource bundle to find at run time.
      resources: [.embedInCode("Prelude")]
    ),
    .executableTarget(name: "lethe", dependencies: ["Host"], path: "Sources/lethe", exclude: ["README.md"]),
    // Fuzz targets over every parser a user may be handed, and their two drivers (docs/fuzzing.md).
    .target(name: "Fuzzing", dependencies: ["Core", "Experiments"], path: "Sources/Fuzzing", exclude: ["README.md"]),
    .executableTarget(
      name: "lethe-fuzz",
      dependencies: ["Fuzzing", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "Sources/lethe-fuzz", exclude: ["README.md"]),
    .executableTarget(name: "LetheBench", dependencies: ["Core"], path: "Sources/LetheBench",
      exclude: ["README.md"]),
    // Locates test data (vendored PyTorch fixtures, ../shared) for every test target.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "KernelTests", dependencies: ["LetheKernels"], path: "Tests/KernelTests"),
    .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"], path: "Tests/CoreTests"),
    .testTarget(name: "FuzzTests", dependencies: ["Fuzzing"], path: "Tests/FuzzTests"),
    // Test support: the toy problems (blobs, softmax regression) both method and experiment
    // tests train on, and the sweep the resume test kills with SIGKILL.
    .target(name: "ToyProblems", dependencies: ["Methods", "Core"], path: "Tests/ToyProblems", exclude: ["README.md"]),
    .executableTarget(
      name: "lethe-sweep-kill-helper", dependencies: ["Experiments", "Methods"], path: "Tests/SweepKillHelper",
      exclude: ["README.md"]),
    .testTarget(name: "MethodsTests", dependencies: ["Methods", "ToyProblems", "TestSupport"], path: "Tests/MethodsTests"),
    .testTarget(
      name: "ExperimentsTests", dependencies: ["Experiments", "Methods", "ToyProblems"],
      path: "Tests/ExperimentsTests"),
    .testTarget(name: "HostTests", dependencies: ["Host", "TestSupport"], path: "Tests/HostTests"),
  ]
)
