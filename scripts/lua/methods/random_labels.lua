-- random_labels: forget by relabelling. Every forget sample gets a random label other than its
-- own, and the model is fine-tuned on the relabelled forget set together with the retained data
-- (the "random labels" baseline of Golatkar et al. 2020 and Fan et al. 2024).
--
-- Defaults (docs/methods.md gives the sources): as the RL baseline of OPTML-Group/Unlearn-Saliency
-- (Classification/unlearn/RL.py, arg_parser.py): learning rate 0.01, M0's momentum, weight decay
-- and batch size, and every retained sample each epoch; one epoch (Lethe's budget for a pass over
-- the retained data). With only a share of the retained data the relabelled samples dominate the
-- fine-tuning, and on 10% or three-label forget sets the model forgets more than x*.
--
-- Loaded automatically from the methods path; `lethe methods` lists it beside the built-ins.
-- In the context `ctx`: sample positions (ctx.forget, ctx.retained) are 1-based as everywhere in
-- Lua; labels are class numbers 0..K-1 as in the data.
local lethe = require "lethe"

lethe.method{
  name = "random_labels",
  summary = "relabel the forget set at random (never its true label) and fine-tune on it "
    .. "with a share of the retained data",
  options = {
    {"epochs", 1, "epochs over the relabelled forget set and the retained share"},
    {"lr", 0.01, "learning rate"},
    {"retained_fraction", 1.0, "share of the retained data mixed in (0 for none)"},
  },
  unlearn = function(ctx)
    local k = ctx.class_count
    local forget = ctx.forget
    local labels = ctx:labels(forget)
    local relabel = {}
    for i, index in ipairs(forget) do
      local l = ctx:random_int(0, k - 2)      -- uniform over the k - 1 wrong labels
      if l >= labels[i] then l = l + 1 end
      relabel[index] = l
    end
    local indices = {}
    for i, index in ipairs(forget) do indices[i] = index end
    local retained = ctx.retained
    local share = ctx.options.retained_fraction
    if share < 0 or share > 1 then error("retained_fraction must be in [0, 1], got " .. share) end
    local take = math.floor(#retained * share)
    local order = ctx:permutation(#retained)
    for j = 1, take do indices[#indices + 1] = retained[order[j]] end
    local result = ctx:train{indices = indices, relabel = relabel,
      epochs = ctx.options.epochs, lr = ctx.options.lr}
    return {steps = result.steps, relabelled = #forget, retained_used = take}
  end,
}
