-- A Lua method's prepare: hooks that watch M0's training (per-epoch checkpoints read back in
-- unlearn) and hooks that change it (a loss with a regulariser, giving the method an M0 of its
-- own, cached under a key that includes the change). Tiny synthetic data keeps it to seconds.
local lethe = require "lethe"

-- Watches: keeps a checkpoint per epoch and counts steps; unlearn rewinds to the chosen epoch.
lethe.method{
  name = "lua_rewind", summary = "rewind to a checkpoint recorded while M0 trained",
  options = {{"epoch", 1, "checkpoint to rewind to"}},
  prepare = function(opts)
    local steps = 0
    return {
      start = function(model) return {initial = model:parameter_vector()} end,
      step = function(info, model)
        steps = steps + 1
        assert(info.indices[1] >= 1 and info.lr > 0 and info.gradient:numel() == model:parameter_count())
        return {steps = steps}
      end,
      epoch = function(e, model) return {["epoch." .. e] = model:parameter_vector()} end,
    }
  end,
  unlearn = function(ctx)
    local names = table.concat(ctx:artifact_names(), ",")
    assert(names == "epoch.1,epoch.2,epoch.3,initial,steps", names)
    -- ctx.model is M0: the last checkpoint.
    local last = ctx:artifact("epoch.3")
    assert((last - ctx.model:parameter_vector()):norm():item() == 0, "M0 is the epoch-3 checkpoint")
    assert(ctx:artifact("nope") == nil)
    ctx.model:set_parameter_vector(ctx:artifact("epoch." .. ctx.options.epoch))
    return {steps_seen = ctx:artifact("steps")}
  end,
}

-- Changes training: adds weight * std(logits) to the loss (Unrolling SGD's regulariser).
local function std(x)
  local centred = x - x:mean()
  return (centred * centred):mean():sqrt()
end
local probe = lethe.tensor.randn(64, 600)
lethe.method{
  name = "lua_std", summary = "M0 trained with a logit-std regulariser; unlearn keeps it",
  options = {{"weight", 1.0, "regulariser weight"}},
  prepare = function(opts)
    return {
      change = "std_loss weight=" .. opts.weight,
      loss = function(logits, labels, ce) return ce + std(logits) * opts.weight end,
      start = function(model) return {shaped = "yes"} end,
    }
  end,
  unlearn = function(ctx)
    assert(ctx:artifact("shaped") == "yes")
    local s = lethe.tensor.no_grad(function() return std(ctx.model:eval()(probe)):item() end)
    return {std = s}
  end,
}

-- Bad hooks are reported as failed runs, with the method's name.
lethe.method{name = "lua_bad_prepare", unlearn = function(ctx) end,
  prepare = function(opts) return {loss = function() end} end}

local dir = os.tmpname()
os.remove(dir)
local schedule = {
  datasets = {{"purchase-synthetic", classes = 4, train_count = 400, test_count = 200}},
  models = {{"mlp", hidden = 16}},
  training = {epochs = 3, batch_size = 32, lr = 0.1},
  scenarios = {{"sample", fraction = 0.05}},
  methods = {{"lua_rewind", epoch = 1}, {"lua_std", weight = 0}, {"lua_std", weight = 2}, "lua_bad_prepare"},
  seeds = {0},
  results = dir .. "/results.jsonl", cache = dir .. "/cache",
}
local out = lethe.experiment.run(schedule)
assert(out.completed == 3 and out.failed == 1, out.completed .. " completed, " .. out.failed .. " failed")

local rewind, std0, std2, bad
for _, r in ipairs(lethe.experiment.results(schedule.results)) do
  if r.method == "lua_rewind" then rewind = r
  elseif r.options:find("weight=0") then std0 = r
  elseif r.options:find("weight=2") then std2 = r
  else bad = r end
end
assert(rewind.notes.steps_seen == "39", "13 batches x 3 epochs, got " .. tostring(rewind.notes.steps_seen))
assert(rewind.timings.prepare_s > 0, "hook time counts as preparation")
assert(std2.notes.m0 == "own M0 (std_loss weight=2)", tostring(std2.notes.m0))
assert(tonumber(std2.notes.std) < 0.7 * tonumber(std0.notes.std), std2.notes.std .. " vs " .. std0.notes.std)
assert(bad.status == "failed" and bad.error:find("lua_bad_prepare") and bad.error:find("change"), bad.error)

-- A rerun with a new scenario finds every M0, shared and own, in the cache.
schedule.scenarios = {{"sample", fraction = 0.1}}
schedule.methods = {{"lua_rewind", epoch = 2}, {"lua_std", weight = 2}}
local again = lethe.experiment.run(schedule)
assert(again.completed == 2 and again.failed == 0)
print("prepare_test: ok")
