-- Tab completion in the REPL: candidates for a word such as `lethe.te` or `model:tr`.
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
