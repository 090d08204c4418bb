#!/usr/bin/env python3
"""Lethe against PyTorch on this machine, in one session: runs `lethe-bench --json` and
`pytorch_bench.py` one after the other (twice each, alternating, keeping each side's better
figure) and prints one table of the figures and their ratios (Lethe time / PyTorch time; for
GEMM, Lethe GFLOP/s / PyTorch GFLOP/s).

  python3 bench/side_by_side.py [--lethe-bench PATH] [--python PATH] [--rounds N]

Needs a release build of lethe-bench (`make bench` builds it) and a Python with PyTorch.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = ["cnn_train_step_ms", "mlp_train_step_ms", "resnet18_train_step_ms", "resnet18_eval_ms"]


def run_json(cmd):
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lethe-bench", default=os.path.join(HERE, "..", ".build-release", "release", "lethe-bench"))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    lethe, torch = {}, {}
    for r in range(a.rounds):
        print(f"round {r + 1}/{a.rounds}: lethe-bench ...", file=sys.stderr)
        got = run_json([a.lethe_bench, "--json", "--only", "peak,gemm,train"])
        for k in STEPS:
            if got.get(k) is not None:
                lethe[k] = min(lethe.get(k, float("inf")), got[k])
        for n, v in (got.get("gemm", {}).get("swift") or {}).items():
            lethe.setdefault("gemm", {})[n] = max(lethe.get("gemm", {}).get(n, 0), v or 0)
        lethe["peak"] = max(lethe.get("peak", 0), got.get("peak_gflops") or 0)
        print(f"round {r + 1}/{a.rounds}: pytorch ...", file=sys.stderr)
        got = run_json([a.python, os.path.join(HERE, "pytorch_bench.py")])
        torch["version"] = got["torch_version"]
        for k in STEPS:
            torch[k] = min(torch.get(k, float("inf")), got[k])
        for n, v in got["gemm"]["torch"].items():
            torch.setdefault("gemm", {})[n] = max(torch.get("gemm", {}).get(n, 0), v)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"Lethe vs PyTorch {torch['version']} on this machine (2 threads), load {' '.join(load)}; "
          f"measured FMA peak {lethe['peak']:.0f} GFLOP/s")
    print(f"{'figure':28}{'Lethe':>12}{'PyTorch':>12}{'ratio':>9}")
    for n in ["256", "512", "1024", "2048"]:
        l, t = lethe.get("gemm", {}).get(n), torch["gemm"][n]
        if l:
            print(f"{'GEMM n=' + n + ' (GFLOP/s)':28}{l:12.0f}{t:12.0f}{l / t:8.2f}x")
    for k in STEPS:
        if k in lethe:
            print(f"{k:28}{lethe[k]:12.2f}{torch[k]:12.2f}{lethe[k] / torch[k]:8.2f}x")


if __name__ == "__main__":
    main()
