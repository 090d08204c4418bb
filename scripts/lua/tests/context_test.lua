-- The unlearning context a Lua method gets: the run's data as dataset views, the validation split,
-- the teacher, M0's initial weights and fresh models, ctx:train with a loss function, Adam and
-- clipping, and non-finite losses and gradients stopped at their step with the method named.
-- Tiny synthetic data keeps it to seconds.
local lethe = require "lethe"
local T, nn = lethe.tensor, lethe.nn

local function sameValues(a, b) return (a - b):abs():max():item() == 0 end

lethe.method{
  name = "test_context_views", summary = "checks ctx's data, models and training",
  unlearn = function(ctx)
    local data = ctx.data
    assert(data.name == "purchase-synthetic" and data.options.classes == 4, data.name)
    assert(data.forget:size() == #ctx.forget and data.retained:size() == #ctx.retained)
    assert(data.train:size() == ctx.sample_count and data.forget:size() + data.retained:size() == ctx.sample_count)
    -- Views read the training set: the forget view's first sample is training position ctx.forget[1].
    local x1 = data.forget:batch({1})
    local x2 = data.train:batch({ctx.forget[1]})
    assert(sameValues(x1, x2))
    -- The validation split: a seeded 10% of D \ x*, disjoint from x*.
    assert(#ctx.validation == math.floor(#ctx.retained * 0.1 + 0.5), #ctx.validation)
    local forgotten = {}
    for _, i in ipairs(ctx.forget) do forgotten[i] = true end
    for _, i in ipairs(ctx.validation) do assert(not forgotten[i], "validation overlaps x*") end
    assert(data.validation:size() == #ctx.validation)
    for x, y in data.validation:batches(16) do assert(x:shape()[2] == 600 and #y <= 16) end
    -- Label unlearning knows its classes; sample unlearning has none.
    local classes = ctx.forgotten_classes
    assert(classes == nil or (#classes == 1 and classes[1] == ctx:labels(ctx.forget)[1]))

    -- Models: the teacher is M0 frozen, the initial model M0's initialisation, a fresh model differs.
    local model, teacher = ctx.model, ctx.teacher
    assert(model:is_training(), "ctx.model arrives in training mode")
    assert(not teacher:is_training() and not teacher:parameters()[1]:requires_grad())
    assert(sameValues(model:parameter_vector(), teacher:parameter_vector()))
    local fresh, again = ctx:fresh_model(), ctx:fresh_model()
    assert(sameValues(fresh:parameter_vector(), again:parameter_vector()), "fresh models repeat")
    assert(not sameValues(fresh:parameter_vector(), ctx.initial:parameter_vector()))
    assert(not sameValues(ctx.initial:parameter_vector(), model:parameter_vector()))
    assert(fresh:parameter_count() == model:parameter_count())

    -- ctx:train with a loss of the model and the batch (distillation towards the teacher), Adam
    -- and clipping; the teacher does not move.
    local seen, before = 0, teacher:parameter_vector()
    local r = ctx:train{data = data.forget, epochs = 2, batch_size = 8, optimizer = "adam", lr = 1e-3,
      clip_grad_norm = 1, loss = function(m, x, y)
        seen = seen + #y
        return nn.kl_div(m(x), teacher(x)) + nn.cross_entropy(m(x), y)
      end}
    assert(seen == 2 * data.forget:size() and r.steps == 2 * math.ceil(data.forget:size() / 8), r.steps)
    assert(sameValues(teacher:parameter_vector(), before), "the teacher stays M0")
    assert(not sameValues(model:parameter_vector(), teacher:parameter_vector()), "the student moved")
    local ok, err = pcall(ctx.train, ctx, {data = data.forget, loss = function() return 1 end})
    assert(not ok and err:find("loss must return a tensor"), err)
    ok, err = pcall(ctx.train, ctx, {data = data.forget, ascend = true, loss = function(m, x, y) return m(x):sum() end})
    assert(not ok and err:find("ascend applies to the cross%-entropy"), err)
    ok, err = pcall(ctx.train, ctx, {epochs = 1})
    assert(not ok and err:find("give indices"), err)
    -- A loss that stops being finite stops ctx:train at that step, naming the method.
    ok, err = pcall(ctx.train, ctx, {data = data.forget, batch_size = 4,
      loss = function(m, x, y) return nn.cross_entropy(m(x), y) * math.huge end})
    assert(not ok and err:find("method 'test_context_views': ctx:train: the loss is not finite at epoch 1, step 1"), err)
    return {validation = #ctx.validation}
  end,
}

-- A Lua loop whose gradient turns NaN stops at that step with the method, step and parameter named;
-- a loss that is not finite stops at backward.
lethe.method{
  name = "test_context_nan_gradient", summary = "a NaN gradient in step 3",
  unlearn = function(ctx)
    local m = ctx.model
    local opt = lethe.optim.sgd(m, {lr = 0.01})
    local step = 0
    for x, y in ctx.data.retained:batches(8) do
      step = step + 1
      opt:zero_grad()
      local loss = nn.cross_entropy(m(x), y)
      if step == 3 then loss = loss + (m:parameter("fc2.weight") * 0):sqrt():sum() end
      loss:backward()
      opt:step()
    end
  end,
}
lethe.method{
  name = "test_context_nan_loss", summary = "an infinite loss in step 2",
  unlearn = function(ctx)
    local m = ctx.model
    local opt = lethe.optim.adam(m)
    local step = 0
    for x, y in ctx.data.retained:batches(8) do
      step = step + 1
      opt:zero_grad()
      local loss = nn.cross_entropy(m(x), y)
      if step == 2 then loss = loss / 0 end
      loss:backward()
      opt:step()
    end
  end,
}

local dir = os.tmpname()
os.remove(dir)
local schedule = {
  datasets = {{"purchase-synthetic", classes = 4, train_count = 400, test_count = 200}},
  models = {"mlp"},
  training = {epochs = 3, batch_size = 32, lr = 0.1},
  scenarios = {{"sample", fraction = 0.05}, {"label", count = 1}},
  methods = {"test_context_views", "test_context_nan_gradient", "test_context_nan_loss"},
  seeds = {0},
  results = dir .. "/results.jsonl", cache = dir .. "/cache",
}
local out = lethe.experiment.run(schedule)
assert(out.completed == 2 and out.failed == 4, out.completed .. " completed, " .. out.failed .. " failed")
for _, r in ipairs(lethe.experiment.results(schedule.results)) do
  if r.method == "test_context_views" then
    assert(r.status == "ok", tostring(r.error))
  elseif r.method == "test_context_nan_gradient" then
    assert(r.error:find("method 'test_context_nan_gradient': the gradient of 'fc2.weight' is not finite at step 3", 1, true),
      r.error)
  else
    assert(r.error:find("method 'test_context_nan_loss': the loss is not finite (inf) at step 2", 1, true), r.error)
  end
end

-- The one-run runner: always runs the method, reuses the cached M0 and M_retrain, returns the record.
local try = lethe.experiment.try{method = {"random_labels", epochs = 2}, dataset = schedule.datasets[1], model = "mlp",
  training = schedule.training, scenario = {"label", count = 1}, cache = dir .. "/cache"}
assert(try.status == "ok" and try.method == "random_labels" and try.metrics.acc_deleted, tostring(try.error))
assert(try.table:find("| label%(count=1%) | random_labels%(epochs=2"), try.table)
local ok, err = pcall(lethe.experiment.try, {method = "retrain", seeds = {0, 1}})
assert(not ok and err:find("unknown single%-run key 'seeds'"), err)
os.execute("rm -rf '" .. dir .. "'")
