import LetheKernels

/// Max and average pooling over NCHW input with a square window.
extension Primitives {
  static func pool2d(_ x: Variable, kernel: Int, stride: Int, padding: Int, max isMax: Bool)
    throws -> Variable
  {
    let xv = x.value
    let name = isMax ? "maxPool2d" : "avgPool2d"
    guard xv.rank == 4 else { throw TensorError.invalidShape("\(name): input \(xv.shape) must be 4-D") }
    guard kernel >= 1, stride >= 1, padding >= 0, padding <= kernel / 2 else {
      throw TensorError.invalidArgument(
        "\(name): kernel \(kernel), stride \(stride), padding \(padding) (padding ≤ kernel/2)")
    }
    let (h, w) = (xv.shape[2], xv.shape[3])
    guard h + 2 * padding >= kernel, w + 2 * padding >= kernel else {
      throw TensorError.shapeMismatch("\(name): kernel \(kernel) larger than input \(xv.shape)")
    }
    let oh = (h + 2 * padding - kernel) / stride + 1
    let ow = (w + 2 * padding - kernel) / stride + 1
    let planes = xv.shape[0] * xv.shape[1]
    let outShape = [xv.shape[0], xv.shape[1], oh, ow]
    if isMax {
      var index = [Int32](repeating: 0, count: planes * oh * ow)
      let y = xv.withPointer { xp in
        index.withUnsafeMutableBufferPointer { ib in
          Tensor.build(shape: outShape) {
            Pool.maxForward(
              xp, planes: planes, height: h, width: w, kernel: kernel, stride: stride,
              padding: padding, outH: oh, outW: ow, $0, index: ib.baseAddress!)
          }
        }
      }
      return record(name, y, [x]) { g, _ in
        [
          g.withPointer { gp in
            index.withUnsafeBufferPointer { ib in
              Tensor.build(shape: xv.shape) {
                Pool.maxBackward(
                  gp, index: ib.baseAddress!, planes: planes, height: h, width: w, outH: oh, outW: ow, $0)
              }
            }
          }
        ]
      }
    }
    let y = xv.withPointer { xp in
      Tensor.build(shape: outShape) {
        Pool.avgForward(
          xp, planes: planes, height: h, width: w, kernel: kernel, stride: stride, padding: padding,
          outH: oh, outW: ow, $0)
      }
    }
    return record(name, y, [x]) { g, _ in
      [
        g.withPointer { gp in
          Tensor.build(shape: xv.shape) {
            Pool.avgBackward(
              gp, planes: planes, height: h, width: w, kernel: kernel, stride: stride,
              padding: padding, outH: oh, outW: ow, $0)
          }
        }
      ]
    }
  }
}
