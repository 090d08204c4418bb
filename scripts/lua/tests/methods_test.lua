-- The methods library from Lua: the random_labels script is loaded from the methods path, Lua and
-- Swift methods run side by side in a schedule, a failing Lua method is recorded and the sweep
-- goes on, and a rerun skips what is finished. Tiny synthetic data keeps it to seconds.
local lethe = require "lethe"

local methods = {}
for _, m in ipairs(lethe.methods.list()) do methods[m.name] = m end
assert(methods.random_labels, "random_labels was not loaded from the methods path")
assert(methods.random_labels.origin == "lua" and methods.random_labels.source:find("random_labels.lua"))
assert(methods.retrain.origin == "swift" and methods["neggrad+"])
assert(lethe.methods.listing():find("retained_fraction %(number, default 1%)"))

lethe.method{name = "test_failing", summary = "always fails",
  unlearn = function(ctx) error("deliberate failure") end}
lethe.method{
  name = "test_context", summary = "checks what ctx offers",
  options = {{"steps", 10, "epochs of training on wrong labels"}, {"tag", "x", "a string option"}},
  unlearn = function(ctx)
    assert(#ctx.forget == 20 and #ctx.retained == 380, #ctx.forget .. "/" .. #ctx.retained)
    assert(ctx.class_count == 4 and ctx.sample_count == 400)
    assert(ctx.options.steps == 10 and ctx.options.tag == "x")
    assert(ctx.recipe.epochs == 3 and ctx.recipe.batch_size == 32)
    assert(ctx.model and ctx.model:parameter_count() > 0)
    local before = ctx:accuracy(ctx.forget)
    local up = ctx:train{indices = ctx.forget, epochs = 1, lr = 0.01, ascend = true}
    assert(up.steps == 1)
    local labels, relabel = ctx:labels(ctx.forget), {}
    for i, index in ipairs(ctx.forget) do relabel[index] = (labels[i] + 1) % ctx.class_count end
    ctx:train{indices = ctx.forget, epochs = ctx.options.steps, lr = 0.5, relabel = relabel}
    local after = ctx:accuracy(ctx.forget)
    local p = ctx:permutation(5)
    table.sort(p)
    assert(table.concat(p, ",") == "1,2,3,4,5")
    local ok, err = pcall(ctx.labels, ctx, {0})
    assert(not ok and err:find("outside 1..400"), err)
    return {before = before, after = after}
  end,
}

local dir = os.tmpname()
os.remove(dir)
local schedule = {
  datasets = {{"purchase-synthetic", classes = 4, train_count = 400, test_count = 200}},
  models = {"mlp"},
  training = {epochs = 3, batch_size = 32, lr = 0.1},
  scenarios = {{"sample", fraction = 0.05}},
  methods = {"retrain", {"random_labels", epochs = 10, lr = 0.5, retained_fraction = 0.05}, "test_failing", "test_context"},
  seeds = {0},
  results = dir .. "/results.jsonl", cache = dir .. "/cache", report = dir .. "/report",
}
local out = lethe.experiment.run(schedule)
assert(out.completed == 3 and out.failed == 1, out.completed .. " completed, " .. out.failed .. " failed")
assert(out.table:find("random_labels") and out.table:find("ACC_test"))

local by = {}
for _, r in ipairs(lethe.experiment.results(schedule.results)) do by[r.method] = r end
assert(by.test_failing.status == "failed" and by.test_failing.error:find("deliberate failure"))
assert(by.retrain.metrics.dist_para == 0, "retrain reproduces M_retrain")
local rl = by.random_labels
assert(rl.status == "ok" and rl.notes.relabelled == "20", "random_labels relabelled the forget set")
-- Training on wrong labels drives the forget set's accuracy under the retrained model's.
assert(rl.metrics.acc_deleted < by.retrain.metrics.acc_deleted,
  rl.metrics.acc_deleted .. " vs " .. by.retrain.metrics.acc_deleted)
local ctx = by.test_context
assert(tonumber(ctx.notes.after) < tonumber(ctx.notes.before), ctx.notes.before .. " -> " .. ctx.notes.after)
for _, name in ipairs({"acc_test", "acc_remained", "acc_deleted", "dist_output", "dist_para",
  "mia_efficacy", "mia_auc", "speedup"}) do
  assert(rl.metrics[name], "missing metric " .. name)
end

-- A rerun skips the finished runs and retries only the failed one.
local again = lethe.experiment.run(schedule)
assert(again.skipped == 3 and again.completed == 0 and again.failed == 1)

-- Unknown names fail before anything trains, listing the valid ones.
local ok, err = pcall(lethe.experiment.run, {datasets = {"nope"}, models = {"mlp"},
  scenarios = {"sample"}, methods = {"retrain"}, results = dir .. "/x.jsonl"})
assert(not ok and err:find("unknown dataset 'nope'; valid datasets: .*fashion%-mnist"), err)
ok, err = pcall(lethe.experiment.run, {datasets = {"mnist"}, models = {"mlp"},
  scenarios = {"sample"}, methods = {"no_such_method"}, results = dir .. "/x.jsonl"})
assert(not ok and err:find("unknown method 'no_such_method'; valid methods: .*random_labels"), err)
ok, err = pcall(lethe.method, {name = "x"})
assert(not ok and err:find("'unlearn'"), err)
os.execute("rm -rf '" .. dir .. "'")
