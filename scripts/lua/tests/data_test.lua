-- Datasets from tensors, batches, subsets and forget scenarios.
local T, data = lethe.tensor, lethe.data
local x = T.arange(20):reshape(10, 2)
local y = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}
local ds = data.from_tensors(x, y)
assert(ds:classes() == 3)
local seen, batches = 0, 0
for xb, yb in ds:batches(4) do
  batches = batches + 1
  seen = seen + #yb
  assert(xb:size(1) == #yb)
end
assert(seen == 10 and batches == 3)
local dropped = 0
for _ in ds:batches(4, {drop_last = true}) do dropped = dropped + 1 end
assert(dropped == 2)
local xb, yb = ds:batch({2, 10})
assert(xb:get(1, 1) == 2 and yb[1] == 1 and yb[2] == 0)
local sub = ds:subset({1, 2, 3})
assert(#sub == 3)
-- Forget scenarios.
local test = data.from_tensors(T.zeros(6, 2), {0, 1, 2, 0, 1, 2})
local sc = data.scenario(ds, test, {kind = "label", labels = {2}, name = "toy"})
local v = sc:views()
assert(#v.forget == 3 and #v.retain == 7 and #v.test_forget == 2 and #v.test_retain == 4)
assert(#sc:forget_positions() == 3 and sc:forget_positions()[1] == 3)
local s2 = data.scenario(ds, test, {kind = "sample", fraction = 0.2, seed = 1, name = "toy"})
assert(#s2:views().forget == 2 and type(s2:digest()) == "string")
assert(tostring(s2):find("toy"))
