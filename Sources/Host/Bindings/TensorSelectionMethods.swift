import CLua
import Core

/// `lethe.Tensor`'s selection, spread and norm methods and `lethe.tensor.where`: bindings of
/// Core's `VariableOps+Selection` (PyTorch's semantics and gradients).
enum TensorSelectionMethods {
  static func register(into r: inout LuaRegistry) {
    func method(_ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaBody) {
      r.method(tensorClass, name, signature, doc, body)
    }
    method("abs", "t:abs() -> Tensor", "Elementwise |x| (gradient sign(x), 0 at 0).") { call in
      call.push(try call.tensor(1).abs())
      return 1
    }
    method("sign", "t:sign() -> Tensor", "Elementwise -1, 0 or 1 (NaN stays NaN); no gradient.") { call in
      call.push(try call.tensor(1).sign())
      return 1
    }
    method("isfinite", "t:isfinite() -> Tensor", "1 where the element is finite, else 0; no gradient.") { call in
      call.push(try call.tensor(1).isFinite())
      return 1
    }
    method(
      "clamp", "t:clamp(min [, max]) -> Tensor",
      "Elements limited to [min, max] (nil for no bound); the gradient passes inside the bounds."
    ) { call in
      let v = try call.tensor(1)
      let low = call.isNil(2) ? -Float.infinity : try call.float(2)
      let high = call.isNil(3) ? Float.infinity : try call.float(3)
      call.push(try v.clamped(min: low, max: high))
      return 1
    }
    for (name, larger) in [("maximum", true), ("minimum", false)] {
      method(
        name, "t:\(name)(other) -> Tensor",
        "Elementwise \(larger ? "larger" : "smaller") of t and other (tensor or number, broadcasting); a tie "
          + "splits the gradient."
      ) { call in
        let (a, b) = (try call.tensor(1), try call.tensorOrNumber(2))
        call.push(larger ? try a.maximum(b) : try a.minimum(b))
        return 1
      }
    }
    for (name, doc) in [
      ("var", "Variance over dim (all elements when omitted); unbiased (n - 1) unless unbiased = false, as torch.var."),
      ("std", "Standard deviation over dim (all elements when omitted); unbiased unless unbiased = false, as torch.std."),
    ] {
      method(name, "t:\(name)([dim [, keepdim=false [, unbiased=true]]]) -> Tensor", doc) { call in
        let v = try call.tensor(1)
        let axes = call.isNil(2) ? [] : [try call.dim(2, rank: v.value.rank)]
        let keep = try call.boolean(3, default: false), unbiased = try call.boolean(4, default: true)
        call.push(
          name == "var"
            ? try v.variance(axes: axes, keepDims: keep, unbiased: unbiased)
            : try v.standardDeviation(axes: axes, keepDims: keep, unbiased: unbiased))
        return 1
      }
    }
    method(
      "norm", "t:norm([p=2]) -> Tensor",
      "The p-norm of all elements as a one-element tensor (p = 2, 1, math.huge or any p > 0); differentiable."
    ) { call in
      let v = try call.tensor(1)
      call.push(try v.norm(p: try call.float(2, default: 2)))
      return 1
    }
    method(
      "kthvalue", "t:kthvalue(k) -> number",
      "The k-th smallest of all elements (1-based k; NaN counts as the largest), as torch.kthvalue of t:reshape(-1)."
    ) { call in
      let t = try call.tensor(1).value
      let k = try call.integer(2)
      guard k >= 1, k <= t.count else {
        throw LuaError.argument(index: 2, message: "k in 1..\(t.count) expected, got \(k)")
      }
      call.push(try t.kthSmallest(k))
      return 1
    }
    r.function(
      "tensor", "where", "where(mask, a, b) -> Tensor",
      "a where mask is non-zero, else b (tensors or numbers, broadcasting); the gradient goes to the chosen one."
    ) { call in
      let mask = try call.tensor(1).value
      call.push(try Variable.where(mask, try call.tensorOrNumber(2), try call.tensorOrNumber(3)))
      return 1
    }
  }
}
