-- Pure-Lua sugar over the bindings: printed row tables and `m:named_parameters()`.
local lethe, internals = ...
local classes = internals.classes

-- Tables of rows (m:stats(), lethe.nn.distance) print as aligned columns.
local function fmt(v)
  if math.type(v) == "integer" then return tostring(v) end
  if type(v) == "number" then return string.format("%.4g", v) end
  return tostring(v)
end
local Rows = { __name = "lethe.Rows" }
Rows.__tostring = function(rows)
  local cols = rows.columns or {}
  local width = {}
  for c, name in ipairs(cols) do width[c] = #name end
  for _, row in ipairs(rows) do
    for c, name in ipairs(cols) do width[c] = math.max(width[c], #fmt(row[name] or "")) end
  end
  local lines = {}
  local left = {}
  for c, name in ipairs(cols) do left[c] = rows[1] == nil or type(rows[1][name]) == "string" end
  local function line(values)
    local parts = {}
    for c, v in ipairs(values) do
      local pad = string.rep(" ", width[c] - #v)
      parts[c] = left[c] and v .. pad or pad .. v
    end
    lines[#lines + 1] = table.concat(parts, "  ")
  end
  line(cols)
  for _, row in ipairs(rows) do
    local values = {}
    for c, name in ipairs(cols) do values[c] = fmt(row[name] or "") end
    line(values)
  end
  return table.concat(lines, "\n")
end
debug.getregistry()["lethe.Rows"] = Rows

-- for name, p in m:named_parameters() do ... end
local M = classes["lethe.Module"].methods
M.named_parameters = lethe.document(function(m)
  local names, params = m:parameter_names(), m:parameters()
  local i = 0
  return function()
    i = i + 1
    if names[i] then return names[i], params[i] end
  end
end, "Module:named_parameters", "m:named_parameters() -> iterator",
  "Iterates (dotted name, parameter) pairs: for name, p in m:named_parameters() do ... end")
