-- Inspecting models: the tree with output shapes, per-layer statistics, distances, checkpoints.
local lethe = require "lethe"
local nn, T = lethe.nn, lethe.tensor

local m0 = nn.cnn{input = {1, 28, 28}, classes = 10, seed = 0}
print(m0:summary(1, 28, 28))

local m1 = m0:clone()
local opt = lethe.optim.sgd(m1:parameters(), {lr = 0.1})
lethe.seed(0)
local loss = nn.cross_entropy(m1(T.randn(8, 1, 28, 28)), {0, 1, 2, 3, 4, 5, 6, 7})
loss:backward()
opt:step()
local d = nn.distance(m0, m1)
print("parameters that moved:")
for _, row in ipairs(d) do
  if row.name ~= "(all)" then print(row.name, row.l2 > 0) end
end

local path = os.tmpname()
m1:save(path)
local back = nn.cnn{input = {1, 28, 28}, classes = 10, seed = 5}:load(path)
os.remove(path)
print("checkpoint round trip exact:", nn.distance(m1, back)[#d].l2 == 0)
