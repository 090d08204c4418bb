-- Method names: a file loaded again replaces its own methods (the REPL's dofile); a built-in's
-- name, or a name another file defined, is an error; lethe.methods.load guards what a file does.
local lethe = require "lethe"

local made = {}
local function file(source)
  local base = os.tmpname()
  os.remove(base)
  local path = base .. ".lua"
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  made[#made + 1] = path
  return path
end

local first = file("lethe.method{name = 'names_probe', summary = 'one', unlearn = function() end}")
dofile(first)
dofile(first)  -- the same file again: replaces its own definition
local names = lethe.methods.load(first)
assert(#names == 1 and names[1] == "names_probe")

local other = file("lethe.method{name = 'names_probe', unlearn = function() end}")
local ok, err = pcall(dofile, other)
assert(not ok and err:find("'names_probe' is already defined by " .. first, 1, true), err)
ok, err = pcall(lethe.method, {name = "neggrad", unlearn = function() end})
assert(not ok and err:find("'neggrad' is a built%-in method; choose another name"), err)

-- A guarded load: output, files and schedules are refused while the file runs; its functions may
-- use them later.
local noisy = file("print('hello')\nlethe.method{name = 'names_noisy', unlearn = function() end}")
ok, err = pcall(lethe.methods.load, noisy)
assert(not ok and err:find("print is not available while a method file loads"), err)
local later = file([[
local lethe = require "lethe"
local helper = function() return io.open ~= nil and lethe.experiment ~= nil end
lethe.method{name = 'names_later', unlearn = function() return {ok = tostring(helper())} end}
names_later_helper = helper
]])
names = lethe.methods.load(later)
assert(#names == 1 and names[1] == "names_later")
assert(names_later_helper == nil, "a method file's globals stay in its own environment")
ok, err = pcall(lethe.methods.load, file("local x = 1"))
assert(not ok and err:find("defines no method"), err)
ok, err = pcall(lethe.methods.load, file("local lethe = require 'lethe'\nlethe.report.table('x')"))
assert(not ok and err:find("lethe.report is not available"), err)
for _, p in ipairs(made) do os.remove(p) end
