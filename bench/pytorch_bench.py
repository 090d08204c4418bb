#!/usr/bin/env python3
"""PyTorch's side of `make bench`: the same figures as lethe-bench, with the same definitions,
measured on this machine in the same session.

Needs PyTorch (`pip install torch`, about 5 GB with its CUDA libraries; never part of the tests).
Prints one JSON object with the keys of `lethe-bench --json`:
  gemm.torch (GFLOP/s at n = 256, 512, 1024, 2048), cnn_train_step_ms, mlp_train_step_ms,
  resnet18_train_step_ms, resnet18_eval_ms
Each step figure is the median of timed runs after warm-up: one SGD step (lr 0.01, momentum 0.9)
at batch 128 on normal random inputs, for the MNIST CNN (1x28x28, dropout 0.25/0.5), the MLP
600-256(tanh)-100 and the CIFAR-stem ResNet-18 (3x32x32); ResNet-18 inference at batch 256.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median_seconds(body, warmup, runs):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


class MnistCNN(nn.Module):
    """PyTorch's MNIST example, as Lethe's `cnn`."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """torchvision's ResNet-18 with the CIFAR stem (3x3 stride-1 conv, no max-pool), as Lethe's."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers.append(nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def train_step_ms(model, shape, classes, warmup, runs):
    torch.manual_seed(2)
    x = torch.randn(128, *shape)
    y = torch.arange(128) % classes
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return 1000 * median_seconds(step, warmup, runs)


def eval_ms(model, shape, batch):
    x = torch.randn(batch, *shape)
    model.eval()

    def forward():
        with torch.no_grad():
            model(x)

    return 1000 * median_seconds(forward, 1, 3)


def gemm_gflops(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    runs = max(3, int(2e9 / (2 * n**3)))
    seconds = median_seconds(lambda: torch.mm(a, b, out=c), 2, runs)
    return 2 * n**3 / seconds / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="gemm,cnn,mlp,resnet18")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    only = set(args.only.split(","))
    out = {"torch_version": torch.__version__, "threads": torch.get_num_threads()}
    if "gemm" in only:
        out["gemm"] = {"torch": {str(n): gemm_gflops(n) for n in (256, 512, 1024, 2048)}}
    torch.manual_seed(1)
    if "cnn" in only:
        out["cnn_train_step_ms"] = train_step_ms(MnistCNN(), (1, 28, 28), 10, 2, 7)
    if "mlp" in only:
        mlp = nn.Sequential(nn.Linear(600, 256), nn.Tanh(), nn.Linear(256, 100))
        out["mlp_train_step_ms"] = train_step_ms(mlp, (600,), 100, 20, 101)
    if "resnet18" in only:
        out["resnet18_train_step_ms"] = train_step_ms(ResNet18(), (3, 32, 32), 10, 1, 3)
        out["resnet18_eval_ms"] = eval_ms(ResNet18(), (3, 32, 32), 256)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
