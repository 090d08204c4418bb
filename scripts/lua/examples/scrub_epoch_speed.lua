-- One SCRUB epoch written two ways, timed in one run on the same machine: (A) the Lua loop of
-- scripts/lua/methods/scrub.lua (batches, forward, distillation loss, backward and the optimiser
-- step all driven from Lua), and (B) the same computation with Core's training loop driving
-- (`ctx:train` with the SCRUB losses as Lua loss functions). Each epoch is a max-pass over x* and
-- a min-pass over `retained` samples of D \ x*, with the reference's batch sizes (512 and 256),
-- on Fashion-MNIST with the CNN, 1% sample unlearning. The two alternate (A, B, A, B, ...) from
-- the same weights so that the machine's load hits both alike; medians and the ratio A / B print.
--
--   lethe run scripts/lua/examples/scrub_epoch_speed.lua [repetitions=3] [retained=8192] [train_count=0]
--
-- train_count > 0 trains M0 on that many Fashion-MNIST samples instead of all (the tests' size).
local lethe = require "lethe"
local nn = lethe.nn
local repetitions = tonumber(arg and arg[1]) or 3
local retainedCount = tonumber(arg and arg[2]) or 8192
local trainCount = tonumber(arg and arg[3]) or 0
local lr, momentum, decay, T, gamma, alpha = 5e-4, 0.9, 5e-4, 4, 0.99, 0.001

local function median(xs)
  local s = {table.unpack(xs)}
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

lethe.method{
  name = "bench_scrub_epoch", summary = "times one SCRUB epoch as a Lua loop and with ctx:train",
  unlearn = function(ctx)
    local student, teacher = ctx.model, ctx.teacher
    local start = student:parameter_vector()
    local forget = ctx.data.forget
    local order = ctx:permutation(ctx.data.retained:size())
    local positions = {}
    for i = 1, math.min(retainedCount, #order) do positions[i] = order[i] end
    local retained = ctx.data.retained:subset(positions)

    local function distill(logits, x)
      local target = lethe.tensor.no_grad(function() return teacher(x) end)
      return nn.kl_div(logits / T, target / T) * (T * T)
    end
    local function maxLoss(m, x) return -distill(m(x), x) end
    local function minLoss(m, x, y)
      local logits = m(x)
      return nn.cross_entropy(logits, y) * gamma + distill(logits, x) * alpha
    end

    local function luaEpoch(seed)
      local opt = lethe.optim.sgd(student, {lr = lr, momentum = momentum, weight_decay = decay})
      local function step(loss)
        opt:zero_grad()
        loss:backward()
        opt:step()
      end
      for x in forget:batches(512, {shuffle = true, seed = seed}) do step(maxLoss(student, x)) end
      for x, y in retained:batches(256, {shuffle = true, seed = seed + 1}) do step(minLoss(student, x, y)) end
    end
    local function coreEpoch(seed)
      local options = {epochs = 1, lr = lr, momentum = momentum, weight_decay = decay, seed = seed}
      options.data, options.batch_size, options.loss = forget, 512, maxLoss
      ctx:train(options)
      options.data, options.batch_size, options.loss = retained, 256, minLoss
      ctx:train(options)
    end

    local a, b = {}, {}
    for r = 1, repetitions do
      for _, side in ipairs({"A", "B"}) do
        student:set_parameter_vector(start)
        collectgarbage()
        local t0 = lethe.clock()
        if side == "A" then luaEpoch(r) else coreEpoch(r) end
        local seconds = lethe.clock() - t0
        table.insert(side == "A" and a or b, seconds)
        print(string.format("  repetition %d %s: %.2f s", r, side == "A" and "Lua loop       " or "ctx:train loop", seconds))
      end
    end
    local ratio = median(a) / median(b)
    print(string.format("SCRUB epoch (%d forget + %d retained samples): Lua loop median %.2f s, "
      .. "ctx:train median %.2f s, ratio %.3f", forget:size(), retained:size(), median(a), median(b), ratio))
    return {lua_median_s = median(a), core_median_s = median(b), ratio = ratio}
  end,
}

local ok, problem = pcall(lethe.data.load, "fashion-mnist")
if not ok then print("fashion-mnist not present: skipped (" .. tostring(problem) .. ")") return end
lethe.experiment.try{
  method = "bench_scrub_epoch", model = "cnn",
  dataset = trainCount > 0 and {"fashion-mnist", subset = trainCount, test_subset = 500} or "fashion-mnist",
  training = {epochs = 1, batch_size = 64, lr = 0.05, momentum = 0.9, weight_decay = 5e-4},
  scenario = {"sample", fraction = 0.01}, seed = 0, cache = ".lethe-cache",
}
