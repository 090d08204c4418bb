-- Modules print as their name and a pointer to help instead of `table: 0x...`.
local lethe = ...
for name, m in pairs(package.loaded) do
  if (name == "lethe" or name:match("^lethe%.")) and type(m) == "table" then
    local mt = getmetatable(m) or {}
    mt.__tostring = function() return name .. " (module; lethe.help(" .. name .. ") lists it)" end
    setmetatable(m, mt)
  end
end
