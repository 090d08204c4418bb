-- Every registered method at its documented defaults on the survey's scenarios (issue 18): the CNN
-- on Fashion-MNIST, M0 trained for one epoch as in the demo, seed 0, sample unlearning of 1/5/10%
-- and label unlearning of 1/3 labels. Prints ACC_test per method and scenario and fails when a
-- run failed or a method's ACC_test is more than 10 points from retrain's.
--
--   lethe run scripts/lua/defaults_check.lua [OUTPUT_FOLDER]
--
-- Methods join by themselves: the schedule is every method of the registry (built-ins and the Lua
-- methods of the methods path), each with no options.
local lethe = require "lethe"

local out = arg and arg[1] or "results/defaults_check"
local tolerance = 10

local methods = {}
for _, m in ipairs(lethe.methods.list()) do methods[#methods + 1] = m.name end
table.sort(methods)

local scenarios = {
  {"sample", fraction = 0.01}, {"sample", fraction = 0.05}, {"sample", fraction = 0.1},
  {"label", count = 1}, {"label", count = 3},
}

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = 1, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = scenarios,
  methods = methods,
  seeds = {0},
  metrics = {retained_limit = 10000},
  results = out .. "/results.jsonl",
  cache = ".lethe-cache",
  report = out .. "/report",
}

-- ACC_test by method and scenario, from the results file (this run's and earlier ones).
local cells, columns, seen = {}, {}, {}
for _, r in ipairs(lethe.experiment.results(outcome.results)) do
  if not seen[r.scenario] then
    seen[r.scenario] = true
    columns[#columns + 1] = r.scenario
  end
  cells[r.method] = cells[r.method] or {}
  if r.status == "ok" then
    cells[r.method][r.scenario] = r.metrics.acc_test
  else
    cells[r.method][r.scenario] = "failed: " .. tostring(r.error)
  end
end

local problems = {}
print()
print("| method | " .. table.concat(columns, " | ") .. " |")
print("|---" .. string.rep("|---", #columns) .. "|")
for _, name in ipairs(methods) do
  local row = {}
  for _, c in ipairs(columns) do
    local v = (cells[name] or {})[c]
    local reference = (cells.retrain or {})[c]
    if type(v) == "number" then
      row[#row + 1] = string.format("%.2f", v)
      if type(reference) == "number" and math.abs(v - reference) > tolerance then
        problems[#problems + 1] = string.format("%s on %s: ACC_test %.2f, retrain %.2f", name, c, v, reference)
      end
    else
      row[#row + 1] = v == nil and "–" or v
      problems[#problems + 1] = string.format("%s on %s: %s", name, c, v or "no record")
    end
  end
  print("| " .. name .. " | " .. table.concat(row, " | ") .. " |")
end
print()
if #problems > 0 then
  error(#problems .. " runs out of bounds (failed, or ACC_test more than " .. tolerance
    .. " points from retrain's):\n  " .. table.concat(problems, "\n  "), 0)
end
print(string.format("every method within %d points of retrain's ACC_test on every scenario", tolerance))
