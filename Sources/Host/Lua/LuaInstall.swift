import CLua

extension LuaVM {
  /// Builds `lethe` and its modules, the class metatables and the documentation tables from the
  /// binding table, then runs the libraries' prelude chunks.
  func install(_ table: LuaBindingTable) throws {
    let L = self.L
    let registry = table.registry
    // Internals handed to prelude chunks: docs[function] = {name, signature, doc},
    // classes[name] = {doc = ..., methods = {...}}, modules = {field = doc, ...}.
    lua_createtable(L, 0, 4)
    let internals = lua_gettop(L)
    lua_createtable(L, 0, Int32(table.bindings.count))
    let docs = lua_gettop(L)

    func pushClosure(_ b: LuaBinding) {
      clua_pushbinding(L, lua_Integer(table.position[b.qualifiedName]!))
    }
    func document(_ b: LuaBinding) {
      // Expects the closure on the top; leaves it there.
      lua_pushvalue(L, -1)
      lua_createtable(L, 0, 3)
      setString("name", b.qualifiedName)
      setString("signature", b.signature)
      setString("doc", b.doc)
      lua_rawset(L, docs)
    }

    // lethe and its modules.
    lua_createtable(L, 0, Int32(registry.modules.count))
    let lethe = lua_gettop(L)
    pushGlobal("package")
    lua_pushstring(L, "loaded")
    lua_rawget(L, -2)
    let loaded = lua_gettop(L)
    lua_createtable(L, 0, Int32(registry.modules.count))
    let moduleDocs = lua_gettop(L)
    for module in registry.modules {
      if module.field.isEmpty {
        lua_pushvalue(L, lethe)
      } else {
        lua_createtable(L, 0, Int32(module.functions.count))
      }
      let t = lua_gettop(L)
      for b in module.functions {
        lua_pushstring(L, b.name)
        pushClosure(b)
        document(b)
        lua_rawset(L, t)
      }
      let name = module.field.isEmpty ? "lethe" : "lethe.\(module.field)"
      lua_pushstring(L, name)
      lua_createtable(L, 0, 2)
      setString("doc", module.doc)
      setString("example", module.example)
      lua_rawset(L, moduleDocs)
      if !module.field.isEmpty {
        lua_pushstring(L, module.field)
        lua_pushvalue(L, t)
        lua_rawset(L, lethe)
        lua_pushstring(L, name)
        lua_pushvalue(L, t)
        lua_rawset(L, loaded)
      }
      clua_pop(L, 1)
    }
    lua_pushstring(L, "lethe")
    lua_pushvalue(L, lethe)
    lua_rawset(L, loaded)

    // Classes.
    lua_createtable(L, 0, Int32(registry.classes.count))
    let classes = lua_gettop(L)
    for cls in registry.classes {
      lua_createtable(L, 0, Int32(cls.metamethods.count + 3))
      let mt = lua_gettop(L)
      setString("__name", cls.name)
      lua_createtable(L, 0, Int32(cls.methods.count))
      let methods = lua_gettop(L)
      for b in cls.methods {
        lua_pushstring(L, b.name)
        pushClosure(b)
        document(b)
        lua_rawset(L, methods)
      }
      var customIndex = false
      for (name, b) in cls.metamethods {
        if name == "__index" {
          customIndex = true
          continue
        }
        lua_pushstring(L, name)
        pushClosure(b)
        lua_rawset(L, mt)
      }
      lua_pushstring(L, "__index")
      if customIndex, let b = cls.metamethods.first(where: { $0.0 == "__index" })?.1 {
        // The Swift __index finds methods in its second upvalue (see LuaCall.method(named:)).
        lua_pushvalue(L, methods)
        clua_pushbinding_upvalues(L, lua_Integer(table.position[b.qualifiedName]!), 1)
      } else {
        lua_pushvalue(L, methods)
      }
      lua_rawset(L, mt)
      lua_pushstring(L, "methods")
      lua_pushvalue(L, methods)
      lua_rawset(L, mt)
      lua_pushvalue(L, mt)
      lua_rawsetp(L, CLUA_REGISTRYINDEX, cls.key())
      // classes[name] = {doc, methods}
      lua_pushstring(L, cls.name)
      lua_createtable(L, 0, 2)
      setString("doc", cls.doc)
      lua_pushstring(L, "methods")
      lua_pushvalue(L, methods)
      lua_rawset(L, -3)
      lua_rawset(L, classes)
      lua_settop(L, classes)
    }

    // internals = {docs, classes, modules}
    lua_pushstring(L, "classes")
    lua_pushvalue(L, classes)
    lua_rawset(L, internals)
    lua_pushstring(L, "docs")
    lua_pushvalue(L, docs)
    lua_rawset(L, internals)
    lua_pushstring(L, "modules")
    lua_pushvalue(L, moduleDocs)
    lua_rawset(L, internals)
    lua_pushvalue(L, lethe)
    setGlobal("lethe")

    for (name, source) in registry.preludes {
      try load(source, name: "=[prelude \(name)]")
      lua_pushvalue(L, lethe)
      lua_pushvalue(L, internals)
      _ = try callTop(nargs: 2)
    }
    lua_settop(L, 0)
  }

  /// Sets field `key` of the table on the top of the stack to string `value` (raw).
  private func setString(_ key: String, _ value: String) {
    lua_pushstring(L, key)
    lua_pushstring(L, value)
    lua_rawset(L, -3)
  }
}
