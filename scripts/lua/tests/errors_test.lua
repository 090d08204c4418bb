-- User mistakes raise Lua errors with clear messages and never end the session.
local T, nn = lethe.tensor, lethe.nn
local function err(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error")
  return e
end
local a = T.ones(2, 3)
assert(err(function() return T.matmul(a, nil) end):find("bad argument #2 to 'matmul' %(lethe.Tensor expected, got nil%)"))
assert(err(function() return a:matmul(a) end):find("shape"))
assert(err(function() return a + T.ones(4) end):find("shape"))
assert(err(function() return a[5] end):find("position 5 out of range 1..2"))
assert(err(function() return a:sum(3) end):find("dimension 3 out of range"))
assert(err(function() return T{{1, 2}, {3}} end):find("ragged"))
assert(err(function() return nn.model("vgg", {input = {1, 8, 8}, classes = 2}) end):find("valid names: cnn, mlp, resnet18"))
assert(err(function() return nn.cnn{classes = 2} end):find("field 'input'"))
assert(err(function() return lethe.optim.sgd(nn.Linear(2, 2), {lr = -1}) end):find("non%-negative"))
assert(err(function() return nn.Linear(2, 2):load("/nonexistent/m.safetensors") end):find("/nonexistent/m.safetensors"))
assert(err(function() return lethe.data.load("no-such-data") end):find("no%-such%-data"))
-- Still alive.
assert((a * 2):sum():item() == 12)
-- Rewriting a binding's upvalues with the debug library fails cleanly.
local f = lethe.tensor.zeros
debug.setupvalue(f, 1, 10 ^ 9 // 1)
assert(err(f, 2):find("corrupted lethe binding"))
local index = getmetatable(a).__index
debug.setupvalue(index, 2, "not a table")
assert(a.sum == nil)
-- Another library's userdata dressed in a tensor's metatable is not taken for a tensor.
local fake = io.tmpfile()
debug.setmetatable(fake, getmetatable(T.ones(1)))
assert(err(function() return T.matmul(fake, fake) end):find("lethe.Tensor expected, got userdata with its metatable"))
debug.setmetatable(fake, nil)
-- A module given the tensor metatable is still a module to the bridge.
local lin = nn.Linear(2, 2)
debug.setmetatable(lin, getmetatable(T.ones(1)))
assert(err(function() return T.matmul(lin, lin) end):find("lethe.Tensor expected"))
