import LetheKernels

extension Primitives {
  /// max-pool(relu(conv2d(x, w, b))) as one primitive (`"conv2dReLUMaxPool"`; the CNN's second
  /// convolution). The convolution's full output lives only in reused scratch memory; the
  /// graph keeps the pooled output and the argmax indices. max commutes with ReLU, so the
  /// backward passes a pooled gradient to its argmax only where the pooled output is positive;
  /// the convolution's backward expands that per chunk (`PooledReLUGradient`), and the
  /// full-size gradient at the convolution's output is never built.
  static func conv2dReLUMaxPool(
    _ x: Variable, _ w: Variable, _ b: Variable?, stride: Int, padding: Int,
    poolKernel: Int, poolStride: Int, poolPadding: Int, policy: ConvPolicy = .current
  ) throws -> Variable {
    let (xv, wv) = (x.value, w.value)
    let geo = try conv2dGeometry(xv.shape, wv.shape, bias: b?.shape, stride: stride, padding: padding)
    let (k, s, pad) = (poolKernel, poolStride, poolPadding)
    guard k >= 1, s >= 1, pad >= 0, pad <= k / 2 else {
      throw TensorError.invalidArgument(
        "maxPool2d: kernel \(k), stride \(s), padding \(pad) (padding ≤ kernel/2)")
    }
    let (h, wd) = (geo.outH, geo.outW)
    let convShape = [geo.batch, geo.outChannels, h, wd]
    guard h + 2 * pad >= k, wd + 2 * pad >= k else {
      throw TensorError.shapeMismatch("maxPool2d: kernel \(k) larger than input \(convShape)")
    }
    let oh = (h + 2 * pad - k) / s + 1
    let ow = (wd + 2 * pad - k) / s + 1
    let planes = geo.batch * geo.outChannels
    let plan = ConvRouting.plan(geo, fusion: .reluMaxPool, policy: policy)
    let bias = b?.value
    var index = [Int32](unsafeUninitializedCapacity: planes * oh * ow) { _, n in n = planes * oh * ow }
    let y = Scratch.withBuffer(Conv2dKernels.rowsOutputCount(geo)) { convOut in
      index.withUnsafeMutableBufferPointer { ib in
        Tensor.build(shape: [geo.batch, geo.outChannels, oh, ow]) { yp in
          let index = ib.baseAddress!
          // Each run of samples is pooled as soon as its convolution outputs are final (the
          // convolution's rows may come wider than its output: `forwardRows`).
          let pool = { (samples: Range<Int>, rowStride: Int) in
            let first = samples.lowerBound * geo.outChannels
            Pool.maxForward(
              convOut + first * h * rowStride, planes: samples.count * geo.outChannels, height: h,
              width: wd, kernel: k, stride: s, padding: pad, outH: oh, outW: ow,
              yp + first * oh * ow, index: index + first * oh * ow, rowStride: rowStride)
          }
          _ = xv.withPointer { xp in
            wv.withPointer { wp in
              bias.withOptionalPointer { bp in
                Conv2dKernels.forwardRows(
                  plan, x: xp, weight: wp, bias: bp, y: convOut, samplesDone: pool)
              }
            }
          }
        }
      }
    }
    return record("conv2dReLUMaxPool", y, b.map { [x, w, $0] } ?? [x, w]) { g, n in
      convolutionGradients(plan, x: xv, weight: wv, needs: n) { xp, wp, gx, gw, gb in
        g.withPointer { gp in
          y.withPointer { yp in
            index.withUnsafeBufferPointer { ib in
              let pooled = PooledReLUGradient(
                gradient: gp, index: ib.baseAddress!, output: yp, pooledPerPlane: oh * ow)
              Conv2dKernels.backward(
                plan, x: xp, weight: wp, pooled: pooled, gradX: gx, gradW: gw, gradB: gb)
            }
          }
        }
      }
    }
  }
}
