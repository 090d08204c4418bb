-- The tensor and parameter API methods use, from Lua: clamp, minimum/maximum, where, abs, sign,
-- isfinite, var/std, norm as a tensor, kthvalue, named parameters written in place, gradients by
-- name, clip_grad_norm. Values are PyTorch's (the Swift tests check gradients and edge cases).
local lethe = require "lethe"
local T, nn, optim = lethe.tensor, lethe.nn, lethe.optim

local function same(t, values)
  local got = t:totable()
  assert(#got == #values, "length " .. #got)
  for i, v in ipairs(values) do
    assert(got[i] == v or (got[i] ~= got[i] and v ~= v), i .. ": " .. tostring(got[i]) .. " vs " .. tostring(v))
  end
end

local x = T.new({-2, -0.5, 0, 0.5, 2})
same(x:clamp(-1, 1), {-1, -0.5, 0, 0.5, 1})
same(x:clamp(0), {0, 0, 0, 0.5, 2})
same(x:clamp(nil, 0), {-2, -0.5, 0, 0, 0})
same(x:abs(), {2, 0.5, 0, 0.5, 2})
same(x:sign(), {-1, -1, 0, 1, 1})
same(x:maximum(0), {0, 0, 0, 0.5, 2})
same(x:minimum(T.new({0, 0, 0, 0, 0})), {-2, -0.5, 0, 0, 0})
same(T.where(x:gt(0), x, -x), {2, 0.5, 0, 0.5, 2})
same(T.where(x:gt(0), 1, 0), {0, 0, 0, 1, 1})
same((x / 0):isfinite(), {0, 0, 0, 0, 0})
same(x:isfinite(), {1, 1, 1, 1, 1})
assert(x:kthvalue(1) == -2 and x:kthvalue(4) == 0.5)

local m = T.new({{1, 2}, {3, 5}})
same(m:var(1), {2, 4.5})
same(m:var(2, false, false), {0.25, 1})
assert(math.abs(T.new({1, 2, 3, 4}):std():item() - 1.2909944) < 1e-6)
local n = T.new({3, 4}):norm()
assert(lethe.tensor.is_tensor(n) and n:item() == 5 and n:dim() == 0)
assert(T.new({3, -4}):norm(1):item() == 7 and T.new({3, -4}):norm(math.huge):item() == 4)

-- Gradients flow through the new ops.
local w = T.new({-1, 0.5, 3}, {requires_grad = true})
local loss = w:abs():sum() + w:clamp(0, 1):sum() + w:norm()
loss:backward()
local g, r = w:grad():totable(), math.sqrt(1 + 0.25 + 9)
assert(math.abs(g[1] - (-1 + 0 - 1 / r)) < 1e-6 and math.abs(g[2] - (1 + 1 + 0.5 / r)) < 1e-6)
assert(math.abs(g[3] - (1 + 0 + 3 / r)) < 1e-6)

-- Named parameters: read, written in place (the shared tensor sees it), gradients by name.
local model = nn.mlp{input = {4}, classes = 3, seed = 1}
local p = model:parameter("fc2.bias")
model:set_parameter("fc2.bias", T.new({1, 2, 3}))
same(p, {1, 2, 3})
model:set_parameter("fc2.bias", 0)
same(model:parameter("fc2.bias"), {0, 0, 0})
local ok, err = pcall(model.set_parameter, model, "fc2.bias", T.zeros(4))
assert(not ok and err:find("shape"), err)
ok, err = pcall(model.set_parameter, model, "nope", 0)
assert(not ok and err:find("no parameter named 'nope'"), err)
assert(model:grad("fc1.weight") == nil and next(model:gradients()) == nil)
nn.cross_entropy(model(T.randn(5, 4)), {0, 1, 2, 0, 1}):backward()
local grads = model:gradients()
assert(grads["fc1.weight"] and grads["fc2.bias"] and model:grad("fc1.weight"):shape()[2] == 4)

-- clip_grad_norm: returns the norm before clipping and scales to max_norm (with PyTorch's 1e-6).
local before = 0
for _, gr in pairs(model:gradients()) do before = before + (gr * gr):sum():item() end
before = math.sqrt(before)
local total = optim.clip_grad_norm(model, before / 2)
assert(math.abs(total - before) < 1e-4 * before, total .. " vs " .. before)
local after = 0
for _, gr in pairs(model:gradients()) do after = after + (gr * gr):sum():item() end
assert(math.abs(math.sqrt(after) - before / 2) < 1e-4 * before)
ok, err = pcall(optim.clip_grad_norm, model, -1)
assert(not ok and err:find("max_norm"), err)

-- Outside a method, a NaN gradient still stops opt:step, naming the parameter.
local opt = optim.sgd(model, {lr = 0.1})
opt:zero_grad()
local bad = nn.cross_entropy(model(T.randn(2, 4)), {0, 1}) + (model:parameter("fc1.bias") * 0):sqrt():sum()
bad:backward()
ok, err = pcall(opt.step, opt)
assert(not ok and err:find("the gradient of 'fc1.bias' is not finite"), err)
ok, err = pcall(optim.clip_grad_norm, model, 1)
assert(not ok and err:find("the gradient of 'fc1.bias' is not finite"), err)
