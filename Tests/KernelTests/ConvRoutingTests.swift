import XCTest

@testable import LetheKernels

/// `ConvRouting.plan` as a table: every convolution of the CNN and ResNet-18 (as their models
/// fuse them) at batch 128, and edge geometries and policies, each with the algorithm expected
/// for the forward, the input gradient and the weight gradient. The kernels' results are checked
/// elsewhere (`ConvKernelTests`, `ConvDirectForwardTests`, ...); this pins down who runs where.
final class ConvRoutingTests: XCTestCase {
  typealias F = ConvForwardAlgorithm
  typealias X = ConvInputGradientAlgorithm
  typealias W = ConvWeightGradientAlgorithm

  /// A policy with everything on, on the Swift backend of an AVX-512 CPU (this machine's), so
  /// that the table does not depend on where it runs.
  static let avx512 = ConvPolicy(gemm: .swift, avx512: true)

  static func conv(
    _ c: Int, _ hw: Int, _ o: Int, k: Int = 3, stride: Int = 1, pad: Int = 1, batch: Int = 128,
    width: Int? = nil
  ) -> Conv2dShape {
    Conv2dShape(
      batch: batch, inChannels: c, height: hw, width: width ?? hw, outChannels: o, kernelH: k,
      kernelW: k, stride: stride, padding: pad)
  }

  struct Row {
    let label: String
    let shape: Conv2dShape
    let fusion: ConvFusion
    var policy: ConvPolicy = ConvRoutingTests.avx512
    let forward: F
    let input: X
    let weight: W
  }

  static let models: [Row] = [
    // The CNN: conv1 → ReLU, conv2 → ReLU → max-pool (Sequential fuses both).
    Row(label: "cnn conv1 1→32 28² valid", shape: conv(1, 28, 32, pad: 0), fusion: .relu,
      forward: .implicitGemm, input: .columnsPrepacked, weight: .columnsTransposed),
    Row(label: "cnn conv2 32→64 26² valid + pool", shape: conv(32, 26, 64, pad: 0),
      fusion: .reluMaxPool, forward: .directWidened, input: .columnsPrepacked, weight: .directChunks),
    // ResNet-18, CIFAR stem; every convolution feeds batch norm (no fusion).
    Row(label: "rn18 stem 3→64 32²", shape: conv(3, 32, 64), fusion: .none,
      forward: .direct, input: .columnsPrepacked, weight: .direct),
    Row(label: "rn18 l1 64→64 32²", shape: conv(64, 32, 64), fusion: .none,
      forward: .direct, input: .direct, weight: .direct),
    Row(label: "rn18 l2 64→128 s2", shape: conv(64, 32, 128, stride: 2), fusion: .none,
      forward: .implicitGemm, input: .columnsPrepacked, weight: .direct),
    Row(label: "rn18 l2 shortcut 1×1 s2", shape: conv(64, 32, 128, k: 1, stride: 2, pad: 0),
      fusion: .none, forward: .implicitGemm, input: .columnsPrepacked, weight: .columnsTransposed),
    Row(label: "rn18 l2 128→128 16²", shape: conv(128, 16, 128), fusion: .none,
      forward: .direct, input: .direct, weight: .direct),
    Row(label: "rn18 l3 128→256 s2", shape: conv(128, 16, 256, stride: 2), fusion: .none,
      forward: .implicitGemm, input: .columnsPrepacked, weight: .direct),
    Row(label: "rn18 l3 shortcut 1×1 s2", shape: conv(128, 16, 256, k: 1, stride: 2, pad: 0),
      fusion: .none, forward: .implicitGemm, input: .columnsPrepacked, weight: .columnsTransposed),
    Row(label: "rn18 l3 256→256 8²", shape: conv(256, 8, 256), fusion: .none,
      forward: .direct, input: .direct, weight: .direct),
    Row(label: "rn18 l4 256→512 s2 (16 positions)", shape: conv(256, 8, 512, stride: 2),
      fusion: .none, forward: .im2col, input: .columnsPrepacked, weight: .direct),
    Row(label: "rn18 l4 shortcut 1×1 s2", shape: conv(256, 8, 512, k: 1, stride: 2, pad: 0),
      fusion: .none, forward: .im2col, input: .columnsPrepacked, weight: .columnsTransposed),
    Row(label: "rn18 l4 512→512 4² (two-sample tiles)", shape: conv(512, 4, 512), fusion: .none,
      forward: .direct, input: .direct, weight: .direct),
    // The ImageNet stem: 7×7, stride 2, padding 3.
    Row(label: "rn18 imagenet stem 3→64 7×7 s2", shape: conv(3, 224, 64, k: 7, stride: 2, pad: 3),
      fusion: .none, forward: .implicitGemm, input: .columnsPrepacked, weight: .direct),
  ]

  static var edges: [Row] {
    var noDirect = avx512
    noDirect.direct = false
    var noPrepack = avx512
    noPrepack.prepackWeights = false
    let im2col = avx512.applying("im2col").policy
    let blas = ConvPolicy(gemm: .blas, avx512: true)
    let noAVX512 = ConvPolicy(gemm: .swift, avx512: false)
    return [
      // Policies.
      Row(label: "l1 without direct kernels", shape: conv(64, 32, 64), fusion: .none, policy: noDirect,
        forward: .implicitGemm, input: .columnsPrepacked, weight: .columns),
      Row(label: "l1 im2col baseline", shape: conv(64, 32, 64), fusion: .none, policy: im2col,
        forward: .im2col, input: .columnsPrepacked, weight: .columns),
      Row(label: "l1 without the packed Wᵀ", shape: conv(64, 32, 64), fusion: .none, policy: noPrepack,
        forward: .direct, input: .direct, weight: .direct),
      Row(label: "l2 s2 without the packed Wᵀ", shape: conv(64, 32, 128, stride: 2), fusion: .none,
        policy: noPrepack, forward: .implicitGemm, input: .columnsGemm, weight: .direct),
      Row(label: "l1 on OpenBLAS", shape: conv(64, 32, 64), fusion: .none, policy: blas,
        forward: .implicitGemm, input: .columnsGemm, weight: .columns),
      Row(label: "l1 without AVX-512", shape: conv(64, 32, 64), fusion: .none, policy: noAVX512,
        forward: .implicitGemm, input: .columnsPrepacked, weight: .columns),
      Row(label: "cnn conv2 + pool without direct kernels", shape: conv(32, 26, 64, pad: 0),
        fusion: .reluMaxPool, policy: noDirect, forward: .implicitGemm, input: .columnsPrepacked,
        weight: .columns),
      // Fusions: a masked or pooled gradient never takes the direct input gradient, and takes
      // the direct weight gradient per chunk only on planes of more than 64 positions.
      Row(label: "l1 + ReLU", shape: conv(64, 32, 64), fusion: .relu,
        forward: .direct, input: .columnsPrepacked, weight: .directChunks),
      Row(label: "l3 8² + ReLU (64 positions)", shape: conv(256, 8, 256), fusion: .relu,
        forward: .direct, input: .columnsPrepacked, weight: .columns),
      Row(label: "9² + ReLU (81 positions)", shape: conv(16, 9, 16), fusion: .relu,
        forward: .implicitGemm, input: .columnsPrepacked, weight: .directChunks),
      Row(label: "same conv + pool keeps dense rows", shape: conv(64, 32, 64), fusion: .reluMaxPool,
        forward: .direct, input: .columnsPrepacked, weight: .directChunks),
      Row(label: "valid conv without pool is not widened", shape: conv(32, 26, 64, pad: 0), fusion: .relu,
        forward: .implicitGemm, input: .columnsPrepacked, weight: .directChunks),
      // Geometries.
      Row(label: "same conv, plane not a multiple of 32", shape: conv(16, 9, 16), fusion: .none,
        forward: .implicitGemm, input: .columnsPrepacked, weight: .direct),
      Row(label: "same conv, 7 input channels", shape: conv(7, 32, 16), fusion: .none,
        forward: .direct, input: .columnsPrepacked, weight: .direct),
      Row(label: "same conv, 8 input channels", shape: conv(8, 32, 16), fusion: .none,
        forward: .direct, input: .direct, weight: .direct),
      Row(label: "single input channel, same", shape: conv(1, 32, 16), fusion: .none,
        forward: .direct, input: .columnsPrepacked, weight: .columnsTransposed),
      Row(label: "patch longer than the outputs", shape: conv(16, 32, 8), fusion: .none,
        policy: noDirect, forward: .implicitGemm, input: .columnsPrepacked, weight: .columns),
      Row(label: "47 positions", shape: conv(4, 47, 4, pad: 1, batch: 2, width: 1), fusion: .none,
        policy: noDirect, forward: .im2col, input: .columnsPrepacked, weight: .columns),
      Row(label: "48 positions", shape: conv(4, 48, 4, pad: 1, batch: 2, width: 1), fusion: .none,
        policy: noDirect, forward: .implicitGemm, input: .columnsPrepacked, weight: .columns),
      Row(label: "1×1 same conv", shape: conv(64, 32, 128, k: 1, pad: 0), fusion: .none,
        forward: .direct, input: .direct, weight: .columnsTransposed),
      Row(label: "5×3 kernel, padding 2 (not same)", shape: Conv2dShape(
          batch: 2, inChannels: 3, height: 12, width: 12, outChannels: 7, kernelH: 5, kernelW: 3,
          stride: 1, padding: 2),
        fusion: .none, forward: .implicitGemm, input: .columnsPrepacked, weight: .direct),
      Row(label: "batch 1, 4² plane (one lone sample)", shape: conv(32, 4, 32, batch: 1), fusion: .none,
        forward: .direct, input: .direct, weight: .direct),
    ]
  }

  func check(_ rows: [Row]) {
    for row in rows {
      let plan = ConvRouting.plan(row.shape, fusion: row.fusion, policy: row.policy)
      XCTAssertEqual(plan.shape, row.shape, row.label)
      XCTAssertEqual(plan.fusion, row.fusion, row.label)
      XCTAssertEqual(plan.gemm, row.policy.gemm, row.label)
      XCTAssertEqual(plan.forward, row.forward, "\(row.label): forward")
      XCTAssertEqual(plan.inputGradient, row.input, "\(row.label): input gradient")
      XCTAssertEqual(plan.weightGradient, row.weight, "\(row.label): weight gradient")
    }
  }

  func testEveryConvolutionOfTheModels() { check(Self.models) }

  func testEdgeGeometriesAndPolicies() { check(Self.edges) }

  /// Only a row-reading consumer (the fused max-pool) ever gets a widened forward.
  func testWidenedOnlyForPooling() {
    for row in Self.models + Self.edges where row.fusion != .reluMaxPool {
      XCTAssertNotEqual(
        ConvRouting.plan(row.shape, fusion: row.fusion, policy: row.policy).forward, .directWidened,
        row.label)
    }
  }

  /// `LETHE_CONV`'s switches and what they turn off; unknown names are reported, not applied.
  func testPolicySwitches() {
    let all = Self.avx512
    XCTAssertTrue(all.direct && all.implicitGemm && all.prepackWeights && all.fusePooling)
    let (p, unknown) = all.applying(" no-direct, unfused-pool ,bogus,,No-Prepack")
    XCTAssertFalse(p.direct)
    XCTAssertTrue(p.implicitGemm)
    XCTAssertFalse(p.prepackWeights)
    XCTAssertFalse(p.fusePooling)
    XCTAssertEqual(unknown, ["bogus"])
    let im2col = all.applying("im2col").policy
    XCTAssertFalse(im2col.direct || im2col.implicitGemm)
    XCTAssertTrue(im2col.prepackWeights && im2col.fusePooling)
    XCTAssertEqual(all.applying("").policy, all)
    XCTAssertEqual(im2col.description, "im2col (swift GEMM, AVX-512)")
    XCTAssertEqual(all.description, "all on (swift GEMM, AVX-512)")
  }
}
