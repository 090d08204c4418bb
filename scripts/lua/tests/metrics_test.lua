-- lethe.metrics from Lua: values worked out by hand or by SciPy (see docs/metrics.md).
local lethe = require "lethe"
local M = lethe.metrics

local function close(a, b, tol) return math.abs(a - b) <= (tol or 1e-9) end

-- scipy.stats.spearmanr([1,2,2,3,4,4,4,5], [2,1,3,3,5,4,6,6]).statistic
assert(close(M.spearman({1, 2, 2, 3, 4, 4, 4, 5}, {2, 1, 3, 3, 5, 4, 6, 6}), 0.9007775105401477))
assert(close(M.spearman({1, 2, 3}, {3, 2, 1}), -1))
local s = M.summary({1, 2, 3, 4})
assert(s.mean == 2.5 and close(s.std, math.sqrt(5 / 3)) and s.count == 4)
assert(not pcall(M.spearman, {1, 2}, {1}))

-- Distances between a model and its copy are zero; the attack's AUC is a probability.
lethe.seed(1)
local x = lethe.tensor.randn({40, 6})
local labels = {}
for i = 1, 40 do labels[i] = i % 3 end
local data = lethe.data.from_tensors(x, labels, 3)
local model = lethe.nn.mlp{input = {6}, classes = 3, seed = 2}
local copy = model:clone()
assert(M.parameter_distance(model, copy) == 0)
assert(close(M.output_distance(model, copy, data), 0, 1e-7))
assert(close(M.output_distance(model, copy, data, "js"), 0, 1e-7))
local other = lethe.nn.mlp{input = {6}, classes = 3, seed = 3}
assert(M.parameter_distance(model, other) > 0 and M.parameter_distance(model, other, "relative") > 0)
local attack = M.mia(model, data, data, data, {feature = "confidence", classifier = "threshold"})
assert(attack.auc >= 0 and attack.auc <= 1 and attack.efficacy >= 0 and attack.efficacy <= 100)
-- Accuracies are percentages (0-100) everywhere: the attack's own (at least chance, 50%) and ACC.
assert(attack.train_accuracy >= 50 and attack.train_accuracy <= 100, attack.train_accuracy)
local acc = M.accuracy(model, data)
assert(acc >= 0 and acc <= 100 and acc == model:accuracy(data) and acc == lethe.nn.evaluate(model, data).accuracy)
local ok, err = pcall(M.output_distance, model, copy, data, "cosine")
assert(not ok and err:find("valid: l2, js"), err)
