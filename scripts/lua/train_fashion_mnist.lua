-- Trains the survey's CNN on Fashion-MNIST (Debian's dataset-fashion-mnist) and prints the test
-- accuracy and time of each epoch. Usage: lethe run scripts/lua/train_fashion_mnist.lua [EPOCHS]
local lethe = require "lethe"
local nn, optim = lethe.nn, lethe.optim

local epochs = tonumber(arg and arg[1]) or 3
local train, test = lethe.data.load("fashion-mnist")
print(string.format("Fashion-MNIST: %d training and %d test samples", #train, #test))

local model = nn.cnn{input = {1, 28, 28}, classes = 10, seed = 0}
local opt = optim.sgd(model, {lr = 0.05, momentum = 0.9})
-- The learning rate falls along a cosine over all steps (to 0 at the end); Core's loop prints each
-- epoch's loss, accuracies and time (a progress bar on a terminal).
local steps = epochs * math.ceil(#train / 128)
local report = nn.fit(model, opt, train, {epochs = epochs, batch_size = 128, seed = 0, eval = test,
  schedule = {kind = "cosine", period = steps}, schedule_unit = "step"})
print(string.format("test accuracy %.2f%% after %d epochs; %d steps in %.1f s",
  model:accuracy(test), epochs, report.steps, report.seconds))
