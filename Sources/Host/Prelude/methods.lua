-- The methods library's Lua side: Lua methods of a closed state fail cleanly, and method files
-- (the methods path, `lethe try`) load in a guarded environment where they can only define methods.
local lethe = ...
local methods = lethe.methods

-- Collected when the state closes: Lua methods of this state then fail cleanly.
local closing = methods._state_closing
debug.getregistry()["lethe.methods.anchor"] = setmetatable({}, {__gc = function() closing() end})

-- What a method file may not touch while it loads (its functions may, when they later run):
-- output, files, processes, other chunks, and the experiment and report runners. It is a guard
-- against a schedule or a stray script in a methods folder, not a security boundary.
local unavailable = {io = true, os = true, print = true, dofile = true, loadfile = true, load = true}
local unavailableInLethe = {experiment = true, report = true, write = true}

methods.load = lethe.document(function(file)
  if type(file) ~= "string" then error("bad argument #1 to 'load' (file name expected)", 2) end
  local loading = true
  local function refuse(what)
    error(what .. " is not available while a method file loads (a method file only defines methods)", 3)
  end
  local guardedLethe = setmetatable({}, {
    __index = function(_, k)
      if loading and unavailableInLethe[k] then refuse("lethe." .. k) end
      return lethe[k]
    end,
    __newindex = lethe,
    __tostring = function() return tostring(lethe) end,
  })
  local env
  env = setmetatable({}, {
    __index = function(_, k)
      if loading then
        if unavailable[k] then refuse(k) end
        if k == "lethe" then return guardedLethe end
        if k == "_G" then return env end
        if k == "require" then
          return function(name)
            if name == "lethe" then return guardedLethe end
            local sub = type(name) == "string" and name:match("^lethe%.(.+)$")
            if sub and unavailableInLethe[sub] then refuse(name) end
            return require(name)
          end
        end
      end
      return _G[k]
    end,
  })
  local chunk, problem = loadfile(file, "t", env)
  if not chunk then error(problem, 0) end
  local before = #methods._defined()
  local ok, message = pcall(chunk)
  loading = false
  if not ok then error(tostring(message), 0) end
  local all, names = methods._defined(), {}
  for i = before + 1, #all do names[#names + 1] = all[i] end
  if #names == 0 then error(file .. " defines no method (a method file calls lethe.method{...})", 0) end
  return names
end, "lethe.methods.load", "load(file) -> {name, ...}",
  "Runs a method file in a guarded environment (no output, files, experiments or reports while it loads); "
    .. "an error when it fails, does anything else, or defines no method. Returns the names it defined.")

-- Method files on the methods path register themselves; a file that fails or defines nothing is
-- reported on standard error and skipped.
for _, file in ipairs(methods.path()) do
  local ok, problem = pcall(methods.load, file)
  if not ok then
    io.stderr:write("lethe: method file " .. file .. " skipped: " .. tostring(problem) .. "\n")
  end
end
