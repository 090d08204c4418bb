-- The methods library's Lua side: Lua methods of a closed state fail cleanly, and the method
-- scripts on the methods path register themselves (`lethe.method` is a binding).
local lethe = ...

-- Collected when the state closes: Lua methods of this state then fail cleanly.
local closing = lethe.methods._state_closing
debug.getregistry()["lethe.methods.anchor"] = setmetatable({}, {__gc = function() closing() end})

-- Method scripts on the methods path register themselves; a broken one is reported, not fatal.
for _, file in ipairs(lethe.methods.path()) do
  local ok, err = pcall(dofile, file)
  if not ok then
    io.stderr:write("lethe: could not load method script " .. file .. ": " .. tostring(err) .. "\n")
  end
end
