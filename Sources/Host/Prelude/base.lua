-- The base prelude: `print` through `lethe.write`, `lethe.doc`, `lethe.help`, `lethe.document` and
-- the API reference `lethe._reference()` that docs/lua-api.md embeds.
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
