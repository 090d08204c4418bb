-- The five methods written in Lua (scripts/lua/methods: scrub, ssd, salun, fisher, l1_sparse) at
-- their defaults beside the built-ins, on Fashion-MNIST with the CNN (M0 trained for 3 epochs),
-- label unlearning of one class and sample unlearning of 1%, seed 0: the evidence of issue 12.
--
--   lethe run scripts/lua/lua_methods_check.lua [OUTPUT_FOLDER]
--
-- M0 and M_retrain are cached in .lethe-cache (`lethe try ... --epochs 3` finds them too); finished
-- runs are recorded in the results file and not run again.
local lethe = require "lethe"

local out = arg and arg[1] or "results/lua_methods"

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = 3, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = {{"label", count = 1}, {"sample", fraction = 0.01}},
  methods = {"retrain", "finetune", "scrub", "ssd", "salun", "fisher", "l1_sparse"},
  seeds = {0},
  metrics = {retained_limit = 10000},
  results = out .. "/results.jsonl",
  cache = ".lethe-cache",
  report = out .. "/report",
}

print()
print(string.format("%d runs done, %d reused from %s, %d failed",
  outcome.completed, outcome.skipped, outcome.results, outcome.failed))
print()
print(outcome.table)
