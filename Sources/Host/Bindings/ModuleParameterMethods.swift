import CLua
import Core

/// `lethe.Module` methods that read and write named parameters and their gradients: what
/// parameter-editing methods (SSD's dampening, Fisher forgetting's noise) work with.
enum ModuleParameterMethods {
  static func register(into r: inout LuaRegistry) {
    r.method(
      moduleClass, "set_parameter", "m:set_parameter(name, value)",
      "Writes a tensor of the parameter's shape (or a number, everywhere) into the named parameter, in place "
        + "and without recording gradients."
    ) { call in
      let m = try call.module(1)
      let name = try call.string(2)
      guard let p = m.parameter(named: name) else {
        throw LuaError.argument(index: 2, message: "no parameter named '\(name)'")
      }
      let value = call.type(3) == LUA_TNUMBER
        ? Tensor(repeating: try call.float(3), shape: p.value.shape) : try call.tensor(3).value
      do {
        try m.setParameter(named: name, to: value)
      } catch let error as ModuleError {
        throw LuaError.argument(index: 3, message: "\(error)")
      }
      return 0
    }
    r.method(
      moduleClass, "grad", "m:grad(name) -> Tensor | nil",
      "The accumulated gradient of the named parameter (nil before a backward pass reaches it)."
    ) { call in
      let m = try call.module(1)
      let name = try call.string(2)
      guard let p = m.parameter(named: name) else {
        throw LuaError.argument(index: 2, message: "no parameter named '\(name)'")
      }
      if let g = p.grad { call.push(g) } else { call.pushNil() }
      return 1
    }
    r.method(
      moduleClass, "gradients", "m:gradients() -> {name = Tensor, ...}",
      "Every parameter's accumulated gradient by dotted name (parameters without one are left out)."
    ) { call in
      let named = try call.module(1).namedGradients()
      lua_createtable(call.L, 0, Int32(named.count))
      for case let (name, g?) in named { call.setField(name) { call.push(g) } }
      return 1
    }
  }
}
