-- Lethe's quickstart (what `make demo` runs): train the CNN on Fashion-MNIST, forget a random 1%
-- of the training set with five methods (four built in, one written in Lua), measure everything
-- the survey measures, and write a report.
--
--   lethe run scripts/lua/quickstart.lua [OUTPUT_FOLDER]
--
-- M0 and M_retrain are cached in .lethe-cache and finished runs are recorded in the results file,
-- so a second run reuses both; delete the output folder to measure the methods again.
local lethe = require "lethe"

local out = arg and arg[1] or "results/quickstart"

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = 1, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = {{"sample", fraction = 0.01}},
  methods = {
    "retrain",
    {"finetune", max_steps = 300},
    "neggrad",
    {"neggrad+", max_steps = 300},
    "random_labels",                       -- scripts/lua/methods/random_labels.lua
  },
  seeds = {0},
  -- ACC_remained and the membership-inference attack use a seeded 10,000-sample share of D \ x*.
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
print("report: " .. outcome.report .. "/results.md (tables), results.csv, one SVG chart per metric")
