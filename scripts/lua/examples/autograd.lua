-- Tensors and gradients in a few lines.
local lethe = require "lethe"
local T = lethe.tensor

local x = T({{1, 2}, {3, 4}}, {requires_grad = true})
local y = (x * x):sum()
y:backward()
print("x =", x)
print("y =", y:item())
print("dy/dx =", x:grad())
print("rows of x:", #x, "x[2][1] =", x[2][1])
print("softmax:", T{1, 2, 3}:softmax():totable()[3] > 0.66)
