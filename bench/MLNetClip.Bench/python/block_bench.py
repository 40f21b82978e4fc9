"""Reference for BlockBench: the same pre-LN block, op for op, in PyTorch on the same libtorch.

On torch < 2.0 attention is spelled out (softmax(q k^T * scale) v), which is exactly what
libmlnetclip_native runs there; on 2.x both sides call scaled_dot_product_attention.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--device", default="cpu")
p.add_argument("--iters", type=int, default=5)
p.add_argument("--threads", type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
dev = torch.device(args.device)
B, T, D, H = 32, 197, 384, 6


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.q, self.k, self.v, self.out = (nn.Linear(D, D) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def attend(self, y):
        q, k, v = (l(y).view(B, T, H, D // H).transpose(1, 2) for l in (self.q, self.k, self.v))
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.softmax(q @ k.transpose(-2, -1) * (1 / math.sqrt(D // H)), -1) @ v
        return self.out(o.transpose(1, 2).reshape(B, T, D))

    def forward(self, x):
        h = x + self.attend(self.norm1(x))
        return h + self.fc2(F.gelu(self.fc1(self.norm2(h))))


block = Block().to(dev)
x = torch.randn(B, T, D, device=dev)


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def step():
    block.zero_grad(set_to_none=True)
    block(x).mean().backward()


step()
step()
sync()
def best_of(clock):
    best = float("inf")
    for _ in range(3):
        t = clock()
        for _ in range(args.iters):
            step()
        sync()
        best = min(best, (clock() - t) / args.iters)
    return best


wall = best_of(time.perf_counter)
cpu = best_of(time.process_time) if dev.type == "cpu" else float("nan")
print(json.dumps({"step": wall, "cpu": cpu}))
