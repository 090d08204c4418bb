-- scrub: SCRUB (Kurmanji, Triantafillou, Hayes and Triantafillou, NeurIPS 2023). The student
-- starts as M0 and is taught by a frozen copy of M0: it moves away from the teacher on the forget
-- set ("max-steps") and stays close to it, and to the labels, on the retained set ("min-steps").
--
-- Each epoch: while epoch <= max_steps, one pass over x* minimising -KL(teacher || student); then
-- one pass over D \ x* minimising gamma * CE + alpha * KL(teacher || student). KL is taken
-- between the softmaxes at temperature T and multiplied by T^2 (DistillKL, batch mean). One SGD
-- optimiser for both kinds of step; the learning rate is multiplied by lr_decay_rate for every
-- milestone in lr_decay_epochs that the epoch has passed.
--
-- Defaults from the reference code, meghdadk/SCRUB: large_scale_unlearning.ipynb (the CIFAR
-- configuration: sgd, sgda_learning_rate 5e-4, momentum 0.9, weight decay 5e-4, sgda_epochs 3,
-- msteps 2, kd_T 4, gamma 0.99, alpha 0.001, beta 0, lr_decay_epochs [3, 5, 9], lr_decay_rate 0.1;
-- forget and retain loaders of 512 and 256), thirdparty/repdistiller/helper/loops.py
-- (train_distill: the student in training mode, the teacher in evaluation mode; "maximize" is
-- -loss_div, "minimize" gamma * loss_cls + alpha * loss_div) and distiller_zoo/KD.py (DistillKL).
-- The reference's small-scale configuration (small_scale_unlearning.ipynb, for its 500-image
-- datasets) is {optimizer = "adam", lr = 5e-4, weight_decay = 0.1, gamma = 1, alpha = 0.5,
-- max_steps = 3, epochs = 10, temperature = 2, lr_decay_epochs = "5,8,9", forget_batch_size = 64,
-- retained_batch_size = 32}; the property test uses it.
local lethe = require "lethe"
local nn = lethe.nn

lethe.method{
  name = "scrub",
  summary = "SCRUB: a student moves away from M0 on x* (max-steps) and stays close to it on D \\ x* (min-steps)",
  options = {
    {"epochs", 3, "epochs (each a min-pass over D \\ x*, preceded by a max-pass over x* while epoch <= max_steps)"},
    {"max_steps", 2, "epochs that begin with a max-pass over x* (msteps)"},
    {"optimizer", "sgd", "sgd or adam"},
    {"lr", 5e-4, "learning rate"},
    {"momentum", 0.9, "SGD momentum"},
    {"weight_decay", 5e-4, "weight decay (L2, for Adam too)"},
    {"temperature", 4, "softmax temperature T of the distillation KL (kd_T)"},
    {"gamma", 0.99, "weight of the cross-entropy in the min-steps"},
    {"alpha", 0.001, "weight of the distillation KL in the min-steps"},
    {"forget_batch_size", 512, "mini-batch size of the max-steps"},
    {"retained_batch_size", 256, "mini-batch size of the min-steps"},
    {"lr_decay_epochs", "3,5,9", "epochs after which the learning rate decays (comma-separated)"},
    {"lr_decay_rate", 0.1, "factor of each decay"},
  },
  unlearn = function(ctx)
    local o = ctx.options
    if o.epochs < 0 or o.max_steps < 0 then error("epochs and max_steps must be >= 0") end
    if o.temperature <= 0 then error("temperature must be > 0") end
    local milestones = {}
    for e in o.lr_decay_epochs:gmatch("[^,%s]+") do
      milestones[#milestones + 1] = tonumber(e) or error("lr_decay_epochs: '" .. e .. "' is no number")
    end
    local student, teacher = ctx.model, ctx.teacher
    local T = o.temperature
    local opt
    if o.optimizer == "sgd" then
      opt = lethe.optim.sgd(student, {lr = o.lr, momentum = o.momentum, weight_decay = o.weight_decay})
    elseif o.optimizer == "adam" then
      opt = lethe.optim.adam(student, {lr = o.lr, weight_decay = o.weight_decay})
    else
      error("optimizer must be 'sgd' or 'adam', got '" .. o.optimizer .. "'")
    end

    -- KL(teacher || student) of the softmaxes at temperature T, times T^2 (DistillKL).
    local function distill(logits, x)
      local target = lethe.tensor.no_grad(function() return teacher(x) end)
      return nn.kl_div(logits / T, target / T) * (T * T)
    end

    local function step(loss)
      opt:zero_grad()
      loss:backward()
      opt:step()
      return loss:item()
    end

    student:train()
    local maxSteps, minSteps = 0, 0
    for epoch = 1, o.epochs do
      local passed = 0
      for _, m in ipairs(milestones) do if epoch > m then passed = passed + 1 end end
      opt:lr(o.lr * o.lr_decay_rate ^ passed)
      if epoch <= o.max_steps then
        for x in ctx.data.forget:batches(o.forget_batch_size, {shuffle = true, seed = ctx.seed + epoch}) do
          step(-distill(student(x), x))
          maxSteps = maxSteps + 1
        end
      end
      for x, y in ctx.data.retained:batches(o.retained_batch_size, {shuffle = true, seed = ctx.seed + 1000 + epoch}) do
        local logits = student(x)
        step(nn.cross_entropy(logits, y) * o.gamma + distill(logits, x) * o.alpha)
        minSteps = minSteps + 1
      end
    end
    return {max_steps_taken = maxSteps, min_steps_taken = minSteps}
  end,
}
