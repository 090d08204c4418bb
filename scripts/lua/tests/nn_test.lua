-- Models, optimisers, a Lua training loop, the Swift training loop, inspection, checkpoints.
local T, nn, optim, data = lethe.tensor, lethe.nn, lethe.optim, lethe.data
lethe.seed(1)
local n = 96
local x = T.randn(n, 6)
local y = {}
for i = 1, n do y[i] = (x:get(i, 1) + x:get(i, 2) > 0) and 1 or 0 end
local ds = data.from_tensors(x, y, 2)
assert(#ds == n and ds:classes() == 2 and ds:sample_shape()[1] == 6)

local m = nn.mlp{input = {6}, classes = 2, hidden = {16}, seed = 3}
assert(m:parameter_count() == 6 * 16 + 16 + 16 * 2 + 2)
assert(m:parameter_names()[1] == "fc1.weight")
local before = m:clone()
local opt = optim.sgd(m, {lr = 0.2, momentum = 0.9})
local function loss_of(model)
  return T.no_grad(function() return nn.cross_entropy(model(x), y):item() end)
end
local l0 = loss_of(m)
for epoch = 1, 15 do
  for xb, yb in ds:batches(32, {shuffle = true, seed = epoch}) do
    opt:zero_grad()
    local loss = nn.cross_entropy(m(xb), yb)
    loss:backward()
    opt:step()
  end
end
assert(loss_of(m) < l0 * 0.5, "the Lua loop reduces the loss")
assert(m:accuracy(ds) > 90, "accuracy is a percentage")
-- The clone did not move; distances see it.
assert(loss_of(before) == l0)
local d = nn.distance(before, m)
assert(d[#d].name == "(all)" and d[#d].l2 > 0)
-- Stats rows.
local st = m:stats()
assert(#st == 4 and st[1].name == "fc1.weight" and st[1].count == 96)
assert(tostring(st):find("fc1.weight"))
-- Swift loop with hooks.
local epochs = 0
local report = nn.fit(m, optim.adam(m, {lr = 0.01}), ds,
  {epochs = 2, batch_size = 32, progress = "silent", eval = ds, after_epoch = function(e) epochs = e.epoch end})
assert(report.stop == "completed" and epochs == 2 and report.steps == 6 and report.epochs[2].eval_accuracy > 90)
-- Checkpoint round trip.
local path = os.tmpname()
m:save(path)
local m2 = nn.mlp{input = {6}, classes = 2, hidden = {16}, seed = 99}:load(path)
os.remove(path)
assert(nn.distance(m, m2)[5].l2 == 0)
assert(nn.evaluate(m2, ds).accuracy == m:accuracy(ds))
-- Parameter vectors and named parameters.
local v = m:parameter_vector()
assert(v:numel() == m:parameter_count())
m2:set_parameter_vector(v * 0)
assert(m2:parameter_vector():abs():sum():item() == 0)
local count = 0
for name, p in m:named_parameters() do count = count + p:numel() end
assert(count == m:parameter_count())
-- Layers by hand.
local seq = nn.Sequential{nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2)}
assert(seq(x):size(2) == 2 and seq:parameter_names()[1] == "0.weight")
local cnn = nn.cnn{input = {1, 12, 12}, classes = 3, dropout1 = 0, dropout2 = 0}
assert(cnn(T.zeros(2, 1, 12, 12)):size(2) == 3)
assert(cnn:summary(1, 12, 12):find("%-> %[1, 3%]"))
assert(tostring(cnn):find("conv1"))
-- Functional layers give the same outputs as the modules.
local lin = nn.Linear(6, 3)
local w, b = lin:parameter("weight"), lin:parameter("bias")
assert((nn.linear(x, w, b) - lin(x)):abs():max():item() == 0)
local img = T.randn(2, 1, 8, 8)
local conv = nn.Conv2d(1, 2, 3, {padding = 1})
local out = nn.conv2d(img, conv:parameter("weight"), conv:parameter("bias"), {padding = 1})
assert((out - conv(img)):abs():max():item() < 1e-6 and out:size(3) == 8)
assert(nn.max_pool2d(out, 2):size(4) == 4)
assert(nn.dropout(T.ones(100), 0.5, false):sum():item() == 100)
local names = cnn:modules()
assert(names[1] == "" and names[2] == "conv1")
assert(T{1, 2, 3}:gt(2):sum():item() == 1 and T{1, 2, 3}:eq(T{1, 0, 3}):sum():item() == 2)
-- Learning-rate schedules in Core's loop.
local lrs = {}
local o3 = optim.sgd(m, {lr = 0.1})
nn.fit(m, o3, ds, {epochs = 3, batch_size = 96, progress = "silent", schedule = {kind = "step", every = 1, gamma = 0.5},
  after_step = function(s) lrs[#lrs + 1] = s.lr end})
assert(#lrs == 3 and math.abs(lrs[1] - 0.1) < 1e-7 and math.abs(lrs[3] - 0.025) < 1e-7)
assert(not pcall(nn.fit, m, o3, ds, {schedule = {kind = "zigzag"}}))
-- A loss written in Lua and a hook that sees the gradients before the update.
local ma, mb = m:clone(), m:clone()
local grads = 0
nn.fit(ma, optim.sgd(ma, {lr = 0.05}), ds, {epochs = 1, batch_size = 32, shuffle = false, progress = "silent"})
nn.fit(mb, optim.sgd(mb, {lr = 0.05}), ds, {epochs = 1, batch_size = 32, shuffle = false, progress = "silent",
  loss = function(logits, labels) return nn.cross_entropy(logits, labels) end,
  before_update = function() if mb:gradient_vector():norm():item() > 0 then grads = grads + 1 end end})
assert(grads == 3 and nn.distance(ma, mb)[5].l2 == 0)
local okl, el = pcall(nn.fit, mb, optim.sgd(mb, {lr = 0.05}), ds, {progress = "silent", loss = function() return 1 end})
assert(not okl and el:find("must return a lethe.Tensor, got number"), el)
