-- Issue 13's evidence: CR, Sekhari et al. and DeltaGrad on sample unlearning (1% and 10%), Linear
-- Filtration on label unlearning (1 and 3 classes), on Fashion-MNIST with the CNN (M0: 3 epochs,
-- seed 0), each beside M_retrain measured in the same sweep. DeltaGrad runs twice: as itself and
-- with `exact = true` (retraining the head along the same trajectory), so its speedup "on the
-- head" is the ratio of the two unlearning times. Linear Filtration also runs on the sample
-- scenarios, where it must fail with its reason while the sweep goes on.
--
--   lethe run scripts/lua/survey1_check.lua [OUTPUT_FOLDER]
local lethe = require "lethe"

local out = arg and arg[1] or "results/survey1"

local outcome = lethe.experiment.run{
  datasets = {"fashion-mnist"},
  models = {"cnn"},
  training = {epochs = 3, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenarios = {{"sample", fraction = 0.01}, {"sample", fraction = 0.1}, {"label", count = 1}, {"label", count = 3}},
  methods = {"retrain", "cr", "sekhari", "deltagrad", {"deltagrad", exact = true}, "linear_filtration"},
  seeds = {0},
  metrics = {retained_limit = 10000},
  results = out .. "/results.jsonl",
  cache = ".lethe-cache",  -- shared with the other checks; a cached M_retrain timed otherwise is re-timed
  report = out .. "/report",
}

print()
print(string.format("%d runs done, %d reused, %d failed", outcome.completed, outcome.skipped, outcome.failed))
print()
print(outcome.table)

-- Peak memory is in each record's timings (unlearn_peak_mib, unlearn_growth_mib); the Lua view of
-- records carries seconds only, so they are read from the JSON lines here.
local memory = {}
for line in io.lines(out .. "/results.jsonl") do
  local key = line:match('"key":"(.-)"')
  if key then
    memory[key] = {
      peak = tonumber(line:match('"unlearn_peak_mib":([%d%.eE%-]+)')),
      growth = tonumber(line:match('"unlearn_growth_mib":([%d%.eE%-]+)')),
    }
  end
end

local wanted = {
  cr = "sample", sekhari = "sample", deltagrad = "sample", linear_filtration = "label",
}
local latest = {}
for _, r in ipairs(lethe.experiment.results(out .. "/results.jsonl")) do
  latest[r.key] = r
end
local rows = {}
for _, r in pairs(latest) do rows[#rows + 1] = r end
table.sort(rows, function(a, b)
  if a.scenario ~= b.scenario then return a.scenario < b.scenario end
  return a.method .. a.options < b.method .. b.options
end)

local exactTime = {}
for _, r in ipairs(rows) do
  if r.method == "deltagrad" and r.options:find("exact=true") and r.status == "ok" then
    exactTime[r.scenario] = r.timings.unlearn_s
  end
end

print("| scenario | method | status | ACC_test | ACC_deleted | DIST_output | speedup | T_unlearn (s) | T_retrain (s) | peak RSS (MiB) | growth (MiB) | note |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
local function f(x, d) return x and string.format("%." .. d .. "f", x) or "—" end
for _, r in ipairs(rows) do
  local m = r.metrics or {}
  local mem = memory[r.key] or {}
  local note = ""
  local name = r.method .. (r.options ~= "" and r.options:find("exact=true") and " (exact)" or "")
  if r.method == "deltagrad" and not r.options:find("exact=true") and exactTime[r.scenario] and r.status == "ok" then
    note = string.format("head speedup %.2f× over exact replay", exactTime[r.scenario] / r.timings.unlearn_s)
  elseif r.notes and r.notes.reverted then
    note = "reverted: " .. r.notes.reverted .. "; " .. (r.notes.selection or "")
  elseif r.status ~= "ok" then
    note = (r.error or ""):sub(1, 120)
  end
  print(string.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", r.scenario, name, r.status,
    f(m.acc_test, 2), f(m.acc_deleted, 2), f(m.dist_output, 4), f(m.speedup, 1), f(r.timings.unlearn_s, 3),
    f(r.timings.retrain_s, 1), f(mem.peak, 0), f(mem.growth, 1), note))
end
