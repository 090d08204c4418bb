-- ssd: Selective Synaptic Dampening (Foster, Schoepf and Brintrup, AAAI 2024). Parameters that
-- matter far more to the forget set than to the whole training set are shrunk towards zero; no
-- gradient step is taken.
--
-- Importance of a parameter on a dataset: the mean over mini-batches of its squared gradient
-- (the diagonal of the empirical Fisher), with the model in evaluation mode. With I_x* on the
-- forget set and I_D on the whole training set (x* included), every parameter with
-- I_x* > alpha · I_D is multiplied by min(1, lambda · I_D / I_x*).
--
-- Defaults from the reference code, if-loops/selective-synaptic-dampening: src/ssd.py
-- (ParameterPerturber.calc_importance, modify_weight: the bound of 1 on the factor),
-- src/forget_full_class_main.py and forget_random_main.py (selection_weighting alpha = 10,
-- dampening_constant lambda = 1 for ResNet-18; batch size 64, the -b default).
local lethe = require "lethe"

lethe.method{
  name = "ssd",
  summary = "Selective Synaptic Dampening: shrink the parameters far more important to x* than to D",
  options = {
    {"alpha", 10, "selection weighting: dampen where the importance on x* exceeds alpha times that on D"},
    {"lambda", 1, "dampening constant: the factor is min(1, lambda * I_D / I_x*)"},
    {"batch_size", 64, "mini-batch size of the importance passes"},
  },
  unlearn = function(ctx)
    local o = ctx.options
    if o.alpha < 0 or o.lambda < 0 then error("alpha and lambda must be >= 0") end
    if o.batch_size < 1 then error("batch_size must be >= 1") end
    local model = ctx.model
    model:eval()

    -- The mean squared gradient of each parameter over the mini-batches of `data`.
    local function importances(data)
      local sums, batches = {}, 0
      for x, y in data:batches(o.batch_size) do
        model:zero_grad()
        lethe.nn.cross_entropy(model(x), y):backward()
        for name, g in pairs(model:gradients()) do
          local squared = g * g
          sums[name] = sums[name] and sums[name] + squared or squared
        end
        batches = batches + 1
      end
      for name, s in pairs(sums) do sums[name] = s / batches end
      return sums
    end

    local forget = importances(ctx.data.forget)
    local full = importances(ctx.data.train)
    model:zero_grad()

    local dampened, total = 0, 0
    lethe.tensor.no_grad(function()
      for name, p in model:named_parameters() do
        local f, d = forget[name], full[name]
        if f and d then
          local selected = f:gt(d * o.alpha)
          -- Only selected parameters are rescaled; there I_x* > 0, so the ratio is finite.
          local factor = (d * o.lambda / f):clamp(nil, 1)
          model:set_parameter(name, lethe.tensor.where(selected, p * factor, p))
          dampened = dampened + selected:sum():item()
        end
        total = total + p:numel()
      end
    end)
    return {dampened = string.format("%d of %d parameters", dampened, total)}
  end,
}
