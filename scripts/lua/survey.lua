-- The survey's unified experiment as a schedule: what `lethe survey --profile P --out OUT` runs,
-- in a form the sweep commands take, e.g. on a cluster:
--   lethe plan   scripts/lua/survey.lua -- full results/survey-full
--   lethe submit scripts/lua/survey.lua --slurm --cpus-per-task 8 -- full results/survey-full
--   lethe merge  scripts/lua/survey.lua -- full results/survey-full
-- arg[1]: smoke | laptop | full (default laptop); arg[2]: the output folder.
local lethe = require "lethe"
local profile = arg[1] or "laptop"
local out = arg[2] or ("results/survey-" .. profile)
local r = lethe.survey.run(profile, out)
if r.report then print("report: " .. r.report .. "/survey.md") end
