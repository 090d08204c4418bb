-- A training loop written in Lua: forward, loss, backward, optimiser step, batches as an iterator.
local lethe = require "lethe"
local T, nn, optim, data = lethe.tensor, lethe.nn, lethe.optim, lethe.data

lethe.seed(42)
local n = 200
local x = T.randn(n, 2)
local labels = {}
for i = 1, n do labels[i] = (x:get(i, 1) * x:get(i, 2) > 0) and 1 or 0 end  -- XOR of signs
local ds = data.from_tensors(x, labels, 2)

local model = nn.mlp{input = {2}, classes = 2, hidden = {32}, activation = "relu", seed = 1}
local opt = optim.adam(model, {lr = 0.02})
print(model)
for epoch = 1, 40 do
  for xb, yb in ds:batches(50, {shuffle = true, seed = epoch}) do
    opt:zero_grad()
    local loss = nn.cross_entropy(model(xb), yb)
    loss:backward()
    opt:step()
  end
end
local acc = model:accuracy(ds)
print(string.format("training accuracy above 90%%: %s", tostring(acc > 90)))
