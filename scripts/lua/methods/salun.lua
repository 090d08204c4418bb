-- salun: Saliency Unlearning (Fan, Liu, Zhang, Wei, Wong and Liu, ICLR 2024). A weight-saliency
-- mask keeps the parameters whose gradient on the forget loss is largest; random-label
-- fine-tuning then changes only those.
--
-- Mask: the gradient of -CE summed over the mini-batches of x* (model in evaluation mode); the
-- `threshold` share of all parameter elements with the largest |gradient|. The reference ranks
-- with argsort, so ties at the cut fall either way; here they are all kept, except that elements
-- without any gradient never are (when more than 1 - threshold of the gradient is exactly zero,
-- as in ReLU networks, the mask is the elements with a gradient). Fine-tuning, every epoch: a pass over x* with labels drawn uniformly from all K
-- classes (the true one included), then a pass over D \ x*; SGD with momentum and weight decay.
-- After every step the parameters outside the mask are put back to M0's values. SGD acts on
-- each element separately, so this moves exactly the elements the reference's masked gradients
-- and reset momentum buffers move.
--
-- Defaults from the reference code, OPTML-Group/Unlearn-Saliency: Classification/generate_mask.py
-- (the mask from -CE on the forget loader), Classification/unlearn/RL.py (the cifar10 branch:
-- random labels torch.randint(0, num_classes), a forget pass then a retain pass, masked gradients,
-- masked-out weights restored), Classification/README.md (the SalUn example: --unlearn_epochs 10,
-- --unlearn_lr 0.013, mask with_0.5.pt) and arg_parser.py (batch_size 256, momentum 0.9,
-- weight_decay 5e-4).
local lethe = require "lethe"
local nn, T = lethe.nn, lethe.tensor

lethe.method{
  name = "salun",
  summary = "SalUn: a gradient-saliency mask, then random-label fine-tuning of the masked weights only",
  options = {
    {"epochs", 10, "fine-tuning epochs (each a pass over x* with random labels, then over D \\ x*)"},
    {"lr", 0.013, "SGD learning rate"},
    {"momentum", 0.9, "SGD momentum"},
    {"weight_decay", 5e-4, "SGD weight decay"},
    {"batch_size", 256, "mini-batch size (mask and fine-tuning)"},
    {"threshold", 0.5, "share of parameter elements in the mask (largest |gradient| of the forget loss)"},
  },
  unlearn = function(ctx)
    local o = ctx.options
    if o.threshold < 0 or o.threshold > 1 then error("threshold must be in [0, 1]") end
    if o.epochs < 0 or o.batch_size < 1 then error("epochs must be >= 0 and batch_size >= 1") end
    local model, k = ctx.model, ctx.class_count

    -- The saliency mask.
    model:eval()
    local sums = {}
    for x, y in ctx.data.forget:batches(o.batch_size) do
      model:zero_grad()
      local loss = -nn.cross_entropy(model(x), y)
      loss:backward()
      for name, g in pairs(model:gradients()) do sums[name] = sums[name] and sums[name] + g or g end
    end
    model:zero_grad()
    local saliency, flat = {}, {}
    for name, p in model:named_parameters() do
      saliency[name] = sums[name] and sums[name]:abs() or T.zeros(p:shape())
      flat[#flat + 1] = saliency[name]:reshape(-1)
    end
    local all = T.cat(flat)
    local keep = math.floor(all:numel() * o.threshold)
    local masks, kept = {}, 0
    local cut = keep > 0 and all:kthvalue(all:numel() - keep + 1) or math.huge
    for name, s in pairs(saliency) do
      -- Ties at a positive cut are all kept; a cut of 0 keeps only elements with a gradient.
      masks[name] = cut > 0 and s:ge(cut) or s:gt(0)
      kept = kept + masks[name]:sum():item()
    end

    -- Random-label fine-tuning of the masked elements.
    local theta0 = {}
    for name, p in model:named_parameters() do theta0[name] = p:clone() end
    local opt = lethe.optim.sgd(model, {lr = o.lr, momentum = o.momentum, weight_decay = o.weight_decay})
    local steps = 0
    local function step(x, y)
      opt:zero_grad()
      nn.cross_entropy(model(x), y):backward()
      opt:step()
      T.no_grad(function()
        for name, p in model:named_parameters() do model:set_parameter(name, T.where(masks[name], p, theta0[name])) end
      end)
      steps = steps + 1
    end
    model:train()
    for epoch = 1, o.epochs do
      for x, y in ctx.data.forget:batches(o.batch_size, {shuffle = true, seed = ctx.seed + epoch}) do
        local random = {}
        for i = 1, #y do random[i] = ctx:random_int(0, k - 1) end
        step(x, random)
      end
      for x, y in ctx.data.retained:batches(o.batch_size, {shuffle = true, seed = ctx.seed + 1000 + epoch}) do
        step(x, y)
      end
    end
    return {masked = string.format("%d of %d parameters", kept, all:numel()), steps = steps}
  end,
}
