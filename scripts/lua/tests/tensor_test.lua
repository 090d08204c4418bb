-- Tensors through the bridge: creation, 1-based indexing, arithmetic, reductions, autograd.
local lethe = require "lethe"
local T = require "lethe.tensor"
assert(T == lethe.tensor, "require 'lethe.tensor' gives lethe.tensor")

local a = T{{1, 2, 3}, {4, 5, 6}}
assert(#a == 2 and a:dim() == 2 and a:numel() == 6)
assert(a:size(1) == 2 and a:size(-1) == 3)
assert(a[1][3] == 3 and a[-1][1] == 4)
assert((a + 1):get(2, 3) == 7 and (2 * a):get(1, 2) == 4 and (a / 2):get(2, 2) == 2.5)
assert((a - a):sum():item() == 0)
assert(a:sum():item() == 21 and a:mean():item() == 3.5)
assert(a:max(2):get(1) == 3 and a:min():item() == 1)
assert(a:reshape(3, 2):get(3, 2) == 6 and a:reshape{-1}:numel() == 6)
assert(a:t():get(3, 1) == 3)
assert(a:matmul(a:t()):get(1, 1) == 14)
assert(T.cat({a, a}, 1):size(1) == 4 and T.stack({a, a}):size(1) == 2)
assert(a:index_select(2, {3, 1}):get(1, 1) == 3)
local rows = a:totable()
assert(rows[2][3] == 6)

-- Seeded generation repeats.
lethe.seed(7); local r1 = T.randn(5)
lethe.seed(7); local r2 = T.randn(5)
assert((r1 - r2):abs():sum():item() == 0)

-- Gradients: d/dx sum(x^2 * w) = 2 x w, d/dw = x^2.
local x = T.new({1, 2, 3}, {requires_grad = true})
local w = T.new({2, 2, 2}, {requires_grad = true})
local y = (x:pow(2) * w):sum()
y:backward()
assert(x:grad():get(3) == 12 and w:grad():get(2) == 4)
x:zero_grad()
assert(x:grad() == nil)
-- Softmax rows sum to 1; log_softmax matches log of softmax.
local s = a:softmax(2)
assert(math.abs(s:sum(2):get(1) - 1) < 1e-6)
assert(math.abs((a:log_softmax(2) - s:log()):abs():max():item()) < 1e-5)
-- No-grad blocks record nothing.
local z = T.no_grad(function() return x * 2 end)
assert(not z:requires_grad() and T.is_grad_enabled())
-- Writing rows in place.
local w = T.zeros(3, 2)
w[2] = 5
w[-1] = T{7, 8}
assert(w:get(2, 1) == 5 and w:get(3, 2) == 8 and w:sum():item() == 25)
local v1 = T.zeros(3)
v1[1] = 4
assert(v1[1] == 4)
assert(not pcall(function() w[1] = T{1, 2, 3} end))
-- Squeeze, unsqueeze, and stack with gradients.
local u = T.ones(2, 3):unsqueeze(1)
assert(u:size(1) == 1 and u:squeeze(1):dim() == 2 and T.ones(2, 3):unsqueeze(-1):size(3) == 1)
local p = T.new({1, 2}, {requires_grad = true})
T.stack({p, p * 2}):sum():backward()
assert(p:grad():get(1) == 3)
