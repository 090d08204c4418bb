-- The same CNN training steps on Fashion-MNIST driven from Lua and by Core's Swift loop.
-- `lethe run train_loop_speed.lua [batches]` (default 2: a quick check).
-- Steps alternate (a Lua step on one model, then Core's loop on the same batch for a twin
-- model), so that a shared machine's load hits both alike; medians and minima are compared.
local lethe = require "lethe"
local nn, optim, data = lethe.nn, lethe.optim, lethe.data
local batches = tonumber(arg and arg[1]) or 2
local bs = 128
local ok, train = pcall(data.load, "fashion-mnist")
if not ok then print("fashion-mnist not present: skipped") return end
local clock = lethe.clock

local function model()
  return nn.cnn{input = {1, 28, 28}, classes = 10, seed = 0, dropout1 = 0, dropout2 = 0}
end
local function sorted(xs)
  local s = {table.unpack(xs)}
  table.sort(s)
  return s
end
local function median(xs)
  local s, n = sorted(xs), #xs
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

local m1, m2 = model(), model()
local o1 = optim.sgd(m1, {lr = 0.01, momentum = 0.9})
local o2 = optim.sgd(m2, {lr = 0.01, momentum = 0.9})
local lua_steps, swift_steps = {}, {}
for b = 1, batches do
  local positions = {}
  for i = 1, bs do positions[i] = (b - 1) * bs + i end
  -- Lua: fetch the batch, zero_grad, forward, loss, backward, step.
  local start = clock()
  local x, y = train:batch(positions)
  o1:zero_grad()
  local loss = nn.cross_entropy(m1(x), y)
  loss:backward()
  o1:step()
  lua_steps[b] = clock() - start
  -- Swift: Core's loop over the same batch.
  local part = train:subset(positions)
  start = clock()
  nn.fit(m2, o2, part, {epochs = 1, batch_size = bs, shuffle = false, progress = "silent"})
  swift_steps[b] = clock() - start
end

-- Same arithmetic, so the same weights.
assert(nn.distance(m1, m2)[9].relative < 1e-4, "the two loops disagree")
if batches > 2 then
  local lm, sm = median(lua_steps), median(swift_steps)
  local lmin, smin = sorted(lua_steps)[1], sorted(swift_steps)[1]
  print(string.format("%d steps of batch %d: Lua median %.1f ms, min %.1f ms; Swift median %.1f ms, "
    .. "min %.1f ms; ratio of medians %.3f, of minima %.3f", batches, bs, lm * 1e3, lmin * 1e3,
    sm * 1e3, smin * 1e3, lm / sm, lmin / smin))
end
