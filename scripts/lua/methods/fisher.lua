-- fisher: Fisher forgetting (Golatkar, Achille and Soatto, CVPR 2020, "Eternal Sunshine of the
-- Spotless Net"). Every parameter receives Gaussian noise whose variance is alpha over its Fisher
-- information on the retained data: what D \ x* pins down stays, what only x* needed is blurred.
--
-- The Fisher diagonal is the model's own (not the empirical) Fisher, per sample in evaluation
-- mode: F = mean over samples of sum_y p(y|x) * (d CE(x, y) / d theta)^2, one backward pass per
-- class. Then var = alpha * min(1 / (F + 1e-8), 1e3) (1e2 for the output layer), averaged over
-- the input dimension of weight tensors (PyTorch's dim 1), and ten times larger for the output
-- layer and for vectors (biases); theta <- theta + sqrt(var) * N(0, 1). For label unlearning the
-- forgotten classes' output rows are set to 0 with variance 1e-3. The output layer is every
-- parameter whose first extent is the class count, as in the reference.
--
-- Defaults from the reference code, AdityaGolatkar/SelectiveForgetting: Forgetting.ipynb
-- (hessian(): batch size 1, prob-weighted squared gradients of every class; get_mean_var(): the
-- clamps, the dim-1 mean, the output-layer and bias factors, the class rows; "Fisher Noise in
-- Weights": alpha = 1e-6). The reference estimates F on the whole retained set of its small
-- datasets (a few hundred images); at K backward passes per sample that is hours on
-- Fashion-MNIST's 59,400, so Lethe uses a seeded sample of `samples` retained images (0: all).
local lethe = require "lethe"
local nn, T = lethe.nn, lethe.tensor

lethe.method{
  name = "fisher",
  summary = "Fisher forgetting: Gaussian noise on every weight, scaled by its inverse Fisher information on D \\ x*",
  options = {
    {"alpha", 1e-6, "noise scale: the variance is alpha / Fisher"},
    {"samples", 500, "retained samples the Fisher is estimated on (a seeded sample; 0 = all of D \\ x*)"},
  },
  unlearn = function(ctx)
    local o = ctx.options
    if o.alpha < 0 or o.samples < 0 then error("alpha and samples must be >= 0") end
    local model, k = ctx.model, ctx.class_count
    local retained = ctx.data.retained
    local n = retained:size()
    local count = (o.samples == 0 or o.samples > n) and n or o.samples
    local order = ctx:permutation(n)

    model:eval()
    local fisher = {}
    for name, p in model:named_parameters() do fisher[name] = T.zeros(p:shape()) end
    for i = 1, count do
      local x = retained:batch({order[i]})
      local logits = model(x)
      local prob = logits:detach():softmax()
      for y = 0, k - 1 do
        model:zero_grad()
        nn.cross_entropy(logits, {y}):backward()
        local weight = prob:get(1, y + 1)
        for name, g in pairs(model:gradients()) do fisher[name] = fisher[name] + g * g * weight end
      end
    end
    model:zero_grad()

    local forgotten = ctx.forgotten_classes
    T.no_grad(function()
      for name, p in model:named_parameters() do
        local output = p:size(1) == k
        local var = (1 / (fisher[name] / count + 1e-8)):clamp(nil, output and 1e2 or 1e3) * o.alpha
        if p:dim() > 1 then var = var:mean(2, true) * T.ones(p:shape()) end
        local mean = p:clone()
        if output and forgotten then
          for _, c in ipairs(forgotten) do
            mean[c + 1] = 0
            var[c + 1] = 1e-4
          end
        end
        if output or p:dim() == 1 then var = var * 10 end
        model:set_parameter(name, mean + var:sqrt() * ctx:randn(p:shape()))
      end
    end)
    return {samples = count, forgotten_rows = forgotten and #forgotten or 0}
  end,
}
