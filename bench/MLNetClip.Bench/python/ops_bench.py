"""Reference for OpsBench: the same 64x64 add loops in Python on Debian's torch."""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--device", default="cpu")
p.add_argument("--iters", type=int, default=100000)
args = p.parse_args()
torch.set_num_threads(1)
dev = torch.device(args.device)
a = torch.randn(64, 64).to(dev)
b = torch.randn(64, 64).to(dev)


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


# Thread CPU time on the CPU (robust to a busy machine), wall time for CUDA, as the C# side.
clock = time.perf_counter if dev.type == "cuda" else time.thread_time


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def add_loop():
    for _ in range(args.iters):
        c = a + b
    sync()


def add_inplace_loop():
    for _ in range(args.iters):
        a.add_(b)
    sync()


# Grad mode stays on, as in model code (and as on the C# side); the inputs need no grad.
for _ in range(20000):
    c = a + b
add = best_of(5, add_loop) / args.iters
add_ = best_of(5, add_inplace_loop) / args.iters
print(json.dumps({"add": add, "add_": add_}))
