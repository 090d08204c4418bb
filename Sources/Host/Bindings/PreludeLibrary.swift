/// Pure-Lua sugar over the bindings (`Prelude/sugar.lua`: printed row tables, `named_parameters`),
/// module names (`Prelude/module_names.lua`) and how the REPL shows results (`Prelude/show.lua`),
/// run after every other library.
enum PreludeLibrary: LuaLibrary {
  static func register(into r: inout LuaRegistry) {
    r.prelude("sugar", PackageResources.sugar_lua)
    r.prelude("module names", PackageResources.module_names_lua)
    r.prelude("show", PackageResources.show_lua)
  }
}
