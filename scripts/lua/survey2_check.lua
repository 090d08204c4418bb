-- The survey's methods that exist, in one schedule (issue 14's check): Fashion-MNIST, the CNN
-- trained for 3 epochs, sample unlearning of 1% and label unlearning of one class, seed 0.
-- Prints the result table, then each run's timings side by side: T_unlearn, T_retrain (both
-- measured in this process), the speedup, and the preparation cost (work done while M0 trained,
-- e.g. SISA's shard ensemble), which the speedup does not include.
--
--   lethe run scripts/lua/survey2_check.lua [OUTPUT_FOLDER]
--
-- M0s and M_retrain are cached in .lethe-cache; finished runs are skipped on a rerun.
local lethe = require "lethe"

local out = arg and arg[1] or "results/survey2_check"

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = 3, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = {{"sample", fraction = 0.01}, {"label", count = 1}},
  methods = {"retrain", "finetune", "unrolling_sgd", "sisa", "deltagrad", "unlearnable", "linear_filtration", "cr",
    "sekhari", "bad_teacher"},
  seeds = {0},
  metrics = {retained_limit = 10000},
  results = out .. "/results.jsonl",
  cache = ".lethe-cache",
  report = out .. "/report",
}

print()
print(outcome.table)
print()
print("| scenario | method | T_unlearn (s) | T_retrain (s) | speedup | preparation (s) | M0 training (s) |")
print("|---|---|---|---|---|---|---|")
for _, r in ipairs(lethe.experiment.results(outcome.results)) do
  if r.status == "ok" then
    local t = r.timings
    print(string.format("| %s | %s | %.1f | %.1f | %.2f | %.1f | %.1f |", r.scenario, r.method, t.unlearn_s,
      t.retrain_s, r.metrics.speedup, t.prepare_s, t.train_s))
  else
    print(string.format("| %s | %s | failed: %s | | | | |", r.scenario, r.method, r.error))
  end
end
print()
for _, r in ipairs(lethe.experiment.results(outcome.results)) do
  local keys = {}
  for k in pairs(r.notes) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. r.notes[k] end
  print(string.format("%s %s: %s", r.scenario, r.method, table.concat(parts, "; ")))
end
