import LetheKernels

/// 2-D convolution (cross-correlation, as PyTorch's), with the algorithm of each pass chosen by
/// `ConvRouting` from the geometry and the caller's `ConvPolicy`; and the pieces the fused
/// convolution primitives share with it.
extension Primitives {
  /// conv2d(x, w) + b for x `[N, C, H, W]`, w `[O, C, kh, kw]`, b `[O]`, square stride and zero
  /// padding.
  static func conv2d(
    _ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int,
    policy: ConvPolicy = .current
  ) throws -> Variable {
    try convolution(x, w, b, stride: stride, padding: padding, fusion: .none, policy: policy)
  }

  /// The primitive of `conv2d` (fusion `.none`) and of the fused `conv2dReLU` (`.relu`: the ReLU
  /// in the epilogue, its mask applied where the backward reads the incoming gradient).
  static func convolution(
    _ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int, fusion: ConvFusion,
    policy: ConvPolicy
  ) throws -> Variable {
    let (xv, wv) = (x.value, w.value)
    let geo = try conv2dGeometry(xv.shape, wv.shape, bias: b?.shape, stride: stride, padding: padding)
    let plan = ConvRouting.plan(geo, fusion: fusion, policy: policy)
    let y = convolutionOutput(plan, x: xv, weight: wv, bias: b?.value)
    let relu = fusion == .relu
    return record(relu ? "conv2dReLU" : "conv2d", y, b.map { [x, w, $0] } ?? [x, w]) { g, n in
      convolutionGradients(plan, x: xv, weight: wv, needs: n) { xp, wp, gx, gw, gb in
        g.withPointer { gp in
          y.withPointer { yp in
            Conv2dKernels.backward(
              plan, x: xp, weight: wp, gradY: gp, reluOutput: relu ? yp : nil, gradX: gx, gradW: gw,
              gradB: gb)
          }
        }
      }
    }
  }

  /// The plan's forward of (x, weight, bias) into a new `[N, O, OH, OW]` tensor.
  static func convolutionOutput(_ plan: ConvPlan, x: Tensor, weight: Tensor, bias: Tensor?)
    -> Tensor
  {
    let g = plan.shape
    return x.withPointer { xp in
      weight.withPointer { wp in
        bias.withOptionalPointer { bp in
          Tensor.build(shape: [g.batch, g.outChannels, g.outH, g.outW]) { yp in
            Conv2dKernels.forward(plan, x: xp, weight: wp, bias: bp, y: yp)
          }
        }
      }
    }
  }

  /// The gradients a convolution's rule returns for `needs` (x, weight[, bias]): new tensors
  /// that `fill` overwrites, given pointers to x, the weight and each wanted gradient (nil for
  /// the others).
  static func convolutionGradients(
    _ plan: ConvPlan, x: Tensor, weight: Tensor, needs n: [Bool],
    _ fill: (
      UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?,
      UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?
    ) -> Void
  ) -> [Tensor?] {
    var gx = n[0] ? Tensor.uninitialized(x.shape) : nil
    var gw = n[1] ? Tensor.uninitialized(weight.shape) : nil
    var gb = n.count == 3 && n[2] ? Tensor.uninitialized([plan.shape.outChannels]) : nil
    x.withPointer { xp in
      weight.withPointer { wp in
        gx.withOptionalMutablePointer { gxp in
          gw.withOptionalMutablePointer { gwp in
            gb.withOptionalMutablePointer { gbp in fill(xp, wp, gxp, gwp, gbp) }
          }
        }
      }
    }
    return n.count == 3 ? [gx, gw, gb] : [gx, gw]
  }

  /// Checks a convolution's shapes (input [N, C, H, W], weight [O, C, kh, kw], bias [O]) and
  /// returns its geometry.
  static func conv2dGeometry(
    _ xs: [Int], _ ws: [Int], bias: [Int]?, stride: Int, padding: Int
  ) throws -> Conv2dShape {
    guard xs.count == 4, ws.count == 4 else {
      throw TensorError.invalidShape("conv2d: input \(xs) and weight \(ws) must be 4-D")
    }
    guard xs[1] == ws[1] else {
      throw TensorError.shapeMismatch(
        "conv2d: input \(xs) has \(xs[1]) channels, weight \(ws) expects \(ws[1])")
    }
    guard stride >= 1, padding >= 0 else {
      throw TensorError.invalidArgument("conv2d: stride \(stride) and padding \(padding)")
    }
    if let bias, bias != [ws[0]] {
      throw TensorError.shapeMismatch("conv2d: bias \(bias) for weight \(ws)")
    }
    guard xs[2] + 2 * padding >= ws[2], xs[3] + 2 * padding >= ws[3], ws[2] > 0, ws[3] > 0 else {
      throw TensorError.shapeMismatch(
        "conv2d: kernel \(ws[2])×\(ws[3]) larger than padded input \(xs)")
    }
    return Conv2dShape(
      batch: xs[0], inChannels: xs[1], height: xs[2], width: xs[3], outChannels: ws[0],
      kernelH: ws[2], kernelW: ws[3], stride: stride, padding: padding)
  }
}

extension Optional where Wrapped == Tensor {
  /// Calls `body` with a pointer to the wrapped tensor's elements, or nil.
  func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor = self else { return body(nil) }
    return tensor.withPointer { body($0) }
  }

  /// Calls `body` with a mutable pointer to the wrapped tensor's elements, or nil.
  mutating func withOptionalMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if self == nil { return body(nil) }
    return self!.withMutablePointer { body($0) }
  }
}
