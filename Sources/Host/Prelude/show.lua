-- How the REPL shows a result: tostring for anything that has a __tostring or a class name
-- (tensors, models, modules, row tables) and for non-tables; a plain table as its contents: a
-- sequence as [128, 9216], a record as {name = "x", shape = [2, 3]}, nested up to four levels,
-- long ones cut short with "…", cycles marked.
local lethe = ...
local maxItems, maxDepth = 40, 4
local concat, format, tostring, type = table.concat, string.format, tostring, type

local function keyText(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  if type(k) == "string" then return "[" .. format("%q", k) .. "]" end
  return "[" .. tostring(k) .. "]"
end

local function keyOrder(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function show(v, depth, seen)
  if type(v) == "string" then return depth > 0 and format("%q", v) or v end
  if type(v) ~= "table" then return tostring(v) end
  local mt = getmetatable(v)
  if mt and (mt.__tostring or mt.__name) then return tostring(v) end
  if seen[v] then return "<cycle>" end
  if next(v) == nil then return "{}" end
  if depth >= maxDepth then return "{…}" end
  seen[v] = true
  local n, parts = rawlen(v), {}
  for i = 1, math.min(n, maxItems) do parts[#parts + 1] = show(rawget(v, i), depth + 1, seen) end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, keyOrder)
  for i = 1, math.min(#keys, math.max(0, maxItems - #parts)) do
    parts[#parts + 1] = keyText(keys[i]) .. " = " .. show(rawget(v, keys[i]), depth + 1, seen)
  end
  if n + #keys > #parts then parts[#parts + 1] = "… (" .. (n + #keys) .. " entries)" end
  seen[v] = nil
  if #keys == 0 then return "[" .. concat(parts, ", ") .. "]" end
  return "{" .. concat(parts, ", ") .. "}"
end

--- The text the REPL prints for v.
lethe._show = function(v) return show(v, 0, {}) end
