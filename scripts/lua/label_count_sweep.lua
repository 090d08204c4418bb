-- The survey's label-count experiment: one label is forgotten while the number of labels K the
-- model was trained on varies. For each K, M0 and M_retrain train on K classes of Fashion-MNIST
-- (drawn with the seed, renumbered 0..K-1); the report ends with Spearman's ρ between K and every
-- metric, per method (the survey's Table 14).
--
--   lethe run scripts/lua/label_count_sweep.lua [OUTPUT_FOLDER [EPOCHS]]
--
-- Each K has its own cached M0; a rerun skips finished runs.
local lethe = require "lethe"

local out = arg and arg[1] or "results/label_count"
local epochs = tonumber(arg and arg[2] or "1")

local scenarios = {}
for _, k in ipairs({2, 4, 6, 8, 10}) do scenarios[#scenarios + 1] = {"label_count", classes = k} end

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = epochs, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = scenarios,
  methods = {
    "retrain",
    {"finetune", max_steps = 200},
    {"neggrad+", max_steps = 200},
    "random_labels",
  },
  seeds = {0},
  metrics = {retained_limit = 5000},
  results = out .. "/results.jsonl",
  cache = ".lethe-cache",
  report = out .. "/report",
}

print()
print(outcome.table)
print("report (with ρ between K and each metric): " .. outcome.report .. "/results.md")
