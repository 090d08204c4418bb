-- The same CNN training steps on Fashion-MNIST driven from Lua and by Core's Swift loop.
-- `lethe run train_loop_speed.lua [batches]` (default 2: a quick check; 469 is one epoch).
local lethe = require "lethe"
local nn, optim, data = lethe.nn, lethe.optim, lethe.data
local batches = tonumber(arg and arg[1]) or 2
local bs = 128
local ok, train = pcall(data.load, "fashion-mnist")
if not ok then print("fashion-mnist not present: skipped") return end
local positions = {}
for i = 1, math.min(batches * bs, #train) do positions[i] = i end
local subset = train:subset(positions)

local function model() return nn.cnn{input = {1, 28, 28}, classes = 10, seed = 0, dropout1 = 0, dropout2 = 0} end

-- Lua loop: zero_grad, forward, loss, backward, step.
local m1 = model()
local o1 = optim.sgd(m1, {lr = 0.01, momentum = 0.9})
local t0 = lethe.clock()
for x, y in subset:batches(bs) do
  o1:zero_grad()
  local loss = nn.cross_entropy(m1(x), y)
  loss:backward()
  o1:step()
end
local lua_s = lethe.clock() - t0

-- Core's loop over the same batches in the same order.
local m2 = model()
local o2 = optim.sgd(m2, {lr = 0.01, momentum = 0.9})
t0 = lethe.clock()
nn.fit(m2, o2, subset, {epochs = 1, batch_size = bs, shuffle = false, progress = "silent"})
local swift_s = lethe.clock() - t0

-- Same arithmetic, so the same weights.
assert(nn.distance(m1, m2)[9].relative < 1e-4, "the two loops disagree")
if batches > 2 then
  print(string.format("%d batches of %d: Lua loop %.2f s, Swift loop %.2f s, ratio %.3f",
    batches, bs, lua_s, swift_s, lua_s / swift_s))
end
