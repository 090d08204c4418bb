-- l1_sparse: sparsity-aware unlearning (Jia, Liu, Ram, Yao, Liu, Liu, Sharma and Liu, NeurIPS
-- 2023, "Model Sparsity Can Simplify Machine Unlearning"). M0 is fine-tuned on D \ x* with an
-- l1 penalty on all its parameters, whose weight decays linearly to zero over the epochs:
-- loss = CE + alpha_e * ||theta||_1 with alpha_e = alpha * (1 - (e - 1) / epochs) in epoch e.
--
-- Defaults from the reference code, OPTML-Group/Unlearn-Sparse: unlearn/FT.py (FT_iter with_l1:
-- l1_regularization = the l1 norm of all parameters, the linear decay with no_l1_epochs 0),
-- unlearn/FT_prune.py (what `--unlearn FT_prune` runs: FT_l1), README.MD (the l1-sparse example:
-- --unlearn_lr 0.01 --unlearn_epochs 10) and arg_parser.py (batch_size 256, momentum 0.9,
-- weight_decay 5e-4). The README leaves --alpha to the user; 5e-4 is the value third-party ports
-- of the reference use (docs/methods.md says more).
local lethe = require "lethe"
local nn = lethe.nn

lethe.method{
  name = "l1_sparse",
  summary = "l1-sparse unlearning: fine-tune on D \\ x* with a linearly decaying l1 penalty on the weights",
  options = {
    {"epochs", 10, "fine-tuning epochs over D \\ x*"},
    {"lr", 0.01, "SGD learning rate"},
    {"momentum", 0.9, "SGD momentum"},
    {"weight_decay", 5e-4, "SGD weight decay"},
    {"batch_size", 256, "mini-batch size"},
    {"alpha", 5e-4, "initial weight of the l1 penalty (gamma in the paper)"},
  },
  unlearn = function(ctx)
    local o = ctx.options
    if o.epochs < 0 or o.batch_size < 1 or o.alpha < 0 then error("epochs, alpha must be >= 0, batch_size >= 1") end
    local model = ctx.model
    local params = model:parameters()
    local opt = lethe.optim.sgd(model, {lr = o.lr, momentum = o.momentum, weight_decay = o.weight_decay})
    model:train()
    local steps = 0
    for epoch = 1, o.epochs do
      local alpha = o.alpha * (1 - (epoch - 1) / o.epochs)
      for x, y in ctx.data.retained:batches(o.batch_size, {shuffle = true, seed = ctx.seed + epoch}) do
        local loss = nn.cross_entropy(model(x), y)
        if alpha > 0 then
          local l1 = params[1]:norm(1)
          for i = 2, #params do l1 = l1 + params[i]:norm(1) end
          loss = loss + l1 * alpha
        end
        opt:zero_grad()
        loss:backward()
        opt:step()
        steps = steps + 1
      end
    end
    return {steps = steps}
  end,
}
