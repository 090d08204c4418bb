import CLua
import Foundation
import Core

/// `lethe` itself: help, version, seeding, output, and the placeholder modules other libraries
/// fill (`lethe.methods`, `lethe.experiment`, `lethe.report`).
enum BaseLibrary: LuaLibrary {
  /// Lethe's version, as `lethe version` prints it.
  static let version = "0.1.0"

  static func register(into r: inout LuaRegistry) {
    r.module(
      "", doc: "The Lethe API: tensors, models, data, metrics, methods and experiments.",
      example: "local lethe = require \"lethe\"\nlethe.help(lethe.tensor)")
    r.function("", "version", "version() -> string", "Lethe's version.") { call in
      call.push(version)
      return 1
    }
    r.function("", "seed", "seed(n)", "Restarts the random generator behind seeded functions at n.") {
      call in
      let n = try call.integer(1)
      guard n >= 0 else { throw LuaError.argument(index: 1, message: "seed must be non-negative") }
      call.context.reseed(UInt64(n))
      return 0
    }
    r.function(
      "", "interrupted", "interrupted() -> boolean",
      "Whether Ctrl-C was pressed during the current command (loops may poll it)."
    ) { call in
      call.push(LuaContext.interrupted)
      return 1
    }
    r.function(
      "", "threads", "threads([n]) -> integer",
      "The number of threads tensor kernels use; sets it when n is given (like --threads)."
    ) { call in
      if !call.isNil(1) {
        let n = try call.integer(1)
        guard n >= 1 else { throw LuaError.argument(index: 1, message: "at least 1 thread expected") }
        Runtime.threads = n
      }
      call.push(Runtime.threads)
      return 1
    }
    r.function("", "write", "write(s)", "Writes string s to the REPL's or script's output.") { call in
      call.context.write(try call.string(1))
      return 0
    }
    r.function("", "clock", "clock() -> seconds", "Monotonic wall-clock time in seconds.") { call in
      call.push(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
      return 1
    }
    for (field, doc) in [
      ("methods", "Unlearning methods: the registry shared by Swift and Lua methods."),
      ("experiment", "Experiment schedules and the resumable runner."),
      ("report", "Reports over results files (tables and charts)."),
    ] {
      r.module(field, doc: doc, example: "lethe.help(lethe.\(field))")
    }
    r.prelude("base", prelude)
    r.prelude("completion", completionPrelude)
  }

  /// Pure-Lua sugar: `print` through `lethe.write`, `lethe.help`, `lethe.doc`.
  static let prelude = #"""
    local lethe, internals = ...
    local docs, classes, modules = internals.docs, internals.classes, internals.modules
    local write, tostring, select, concat = lethe.write, tostring, select, table.concat

    -- print writes where the host says (the REPL, a test's capture, or stdout).
    function print(...)
      local n = select("#", ...)
      local parts = {}
      for i = 1, n do parts[i] = tostring((select(i, ...))) end
      write(concat(parts, "\t") .. "\n")
    end

    local function sortedKeys(t)
      local keys = {}
      for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
      table.sort(keys)
      return keys
    end

    local function describeFunctions(t, lines)
      for _, k in ipairs(sortedKeys(t)) do
        local d = docs[t[k]]
        if d then lines[#lines + 1] = "  " .. d.signature .. "\n      " .. d.doc end
      end
    end

    --- The documentation of x (a binding, module, object, class or qualified name) as a string.
    function lethe.doc(x)
      if type(x) == "string" then
        for f, d in pairs(docs) do if d.name == x then x = f break end end
        if type(x) == "string" then
          local m = x == "lethe" and lethe or package.loaded[x] or package.loaded["lethe." .. x]
          if m then x = m
          else
            local cls = classes[x] or classes["lethe." .. x]
            if not cls then return "no documentation for '" .. x .. "'" end
            local lines = { "lethe." .. x:gsub("^lethe%.", "") .. ": " .. cls.doc }
            describeFunctions(cls.methods, lines)
            return concat(lines, "\n")
          end
        end
      end
      local d = docs[x]
      if d then return d.name .. ": " .. d.signature .. "\n  " .. d.doc end
      local mt = getmetatable(x)
      if type(x) == "userdata" and mt and classes[mt.__name] then
        local cls = classes[mt.__name]
        local lines = { mt.__name .. ": " .. cls.doc }
        describeFunctions(cls.methods, lines)
        return concat(lines, "\n")
      end
      if type(x) == "table" then
        for name, m in pairs(package.loaded) do
          if m == x and modules[name] then
            local lines = { name .. ": " .. modules[name].doc }
            describeFunctions(x, lines)
            local subs = {}
            for _, k in ipairs(sortedKeys(x)) do
              if type(x[k]) == "table" and modules["lethe." .. k] then subs[#subs + 1] = "lethe." .. k end
            end
            if #subs > 0 then lines[#lines + 1] = "  modules: " .. concat(subs, ", ") end
            if name == "lethe" then
              local names = sortedKeys(classes)
              lines[#lines + 1] = "  classes: " .. concat(names, ", ") .. "  (lethe.help(\"Tensor\") etc.)"
            end
            return concat(lines, "\n")
          end
        end
      end
      if x == nil then return lethe.doc(lethe) end
      return "no documentation for this " .. type(x)
    end

    --- Prints the documentation of x (see lethe.doc); with no argument, the module overview.
    function lethe.help(x) print(lethe.doc(x)) end

    docs[lethe.doc] = { name = "lethe.doc", signature = "doc(x) -> string",
      doc = "The documentation of a binding, module, object, class or qualified name." }
    docs[lethe.help] = { name = "lethe.help", signature = "help(x)",
      doc = "Prints the documentation of x; with no argument, the overview of lethe." }

    --- Registers documentation for a function defined in Lua (for preludes and user code).
    function lethe.document(f, name, signature, doc)
      docs[f] = { name = name, signature = signature, doc = doc }
      return f
    end
    lethe.document(lethe.document, "lethe.document", "document(f, name, signature, doc) -> f",
      "Attaches help text to a Lua function so lethe.help shows it.")
    lethe._internals = internals

    -- The API reference (Markdown), grouped by module then class: docs/lua-api.md embeds it.
    function lethe._reference()
      local groups, order = {}, {}
      for _, d in pairs(docs) do
        local group = d.name:match("^(.*)[.:][^.:]+$") or "lethe"
        if d.name:find(":") then group = "lethe." .. d.name:match("^([^:]+):") end
        if not groups[group] then groups[group] = {}; order[#order + 1] = group end
        table.insert(groups[group], d)
      end
      table.sort(order, function(a, b)
        local ca, cb = a:match("^lethe%.%u") ~= nil, b:match("^lethe%.%u") ~= nil
        if ca ~= cb then return cb end
        return a < b
      end)
      local out = {}
      for _, group in ipairs(order) do
        local list = groups[group]
        table.sort(list, function(a, b) return a.name < b.name end)
        out[#out + 1] = "### " .. group .. "\n"
        for _, d in ipairs(list) do
          out[#out + 1] = "- `" .. d.name .. "` — `" .. d.signature .. "`: " .. d.doc
        end
        out[#out + 1] = ""
      end
      return table.concat(out, "\n")
    end
    """#
}

extension BaseLibrary {
  /// Tab completion in the REPL: candidates for a word such as `lethe.te` or `model:tr`.
  static let completionPrelude = #"""
    local lethe = ...
    function lethe._complete(word)
      local path, sep, last = word:match("^(.-)([%.:]?)([%w_]*)$")
      if not path then return {} end
      local t = _G
      if sep ~= "" then
        for part in path:gmatch("[^.]+") do
          local ok, v = pcall(function() return t[part] end)
          if not ok or v == nil then return {} end
          t = v
        end
      end
      local keys = {}
      local function add(tbl)
        if type(tbl) ~= "table" then return end
        for k in pairs(tbl) do
          if type(k) == "string" and k:sub(1, #last) == last then keys[k] = true end
        end
      end
      local mt = getmetatable(t)
      if type(t) == "userdata" or sep == ":" then
        if mt then add(rawget(mt, "methods") or mt.__index) end
        if type(t) == "string" then add(string) end
      elseif type(t) == "table" then
        add(t)
        if mt and type(mt.__index) == "table" then add(mt.__index) end
      end
      local out = {}
      for k in pairs(keys) do out[#out + 1] = path .. sep .. k end
      table.sort(out)
      return out
    end
    """#
}
