/// Pure-Lua sugar over the bindings (`Prelude/sugar.lua`: printed row tables, `named_parameters`)
/// and module names (`Prelude/module_names.lua`), run after every other library.
enum PreludeLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.prelude("sugar", PackageResources.sugar_lua)
    r.prelude("module names", PackageResources.module_names_lua)
  }
}
