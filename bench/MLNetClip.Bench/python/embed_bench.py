"""Reference side of bench embed: the same image-embedding forward in plain PyTorch.

Loads what our worker wrote (EmbedBenchWorker.WriteInit): the image tower's weights, the batch,
and our embeddings of that batch. Builds the same tower (clip_reference.VisionTransformer, strict
load), embeds the batch once under no_grad and reports how far it lands from ours, then answers
the line protocol on stdin/stdout:
  start   -> {"event": "ready", "baseline_rss", "rss", "parameters", "batch", "max_abs_diff", "max_abs"}
  run N   -> N forward passes -> {"wall", "cpu" (seconds per pass), "peak_rss", "minor_faults", "loss": {}}
  quit    -> exit
"""
import argparse
import json
import resource
import sys
import time

import torch

import clip_reference

parser = argparse.ArgumentParser()
parser.add_argument("--init", required=True)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)


def memory():
    """(VmRSS, VmHWM) in bytes from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


baseline_rss, _ = memory()
tensors, metadata = clip_reference.read_safetensors(args.init)
cfg = json.loads(metadata["config"])
images, expected = tensors.pop("batch.images"), tensors.pop("expected.embedding")
tower = clip_reference.VisionTransformer(cfg["vision"], cfg["embed_dim"])
tower.load_state_dict(tensors, strict=True)
tower.eval()
del tensors


def embed():
    with torch.no_grad():
        return tower.encode(images)[1]                                                       # [B, E]


reference = embed()


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


reply({"event": "ready", "baseline_rss": baseline_rss, "rss": memory()[0],
       "parameters": sum(p.numel() for p in tower.parameters()), "batch": images.size(0),
       "max_abs_diff": (reference - expected).abs().max().item(), "max_abs": expected.abs().max().item()})
for line in sys.stdin:
    request = line.split()
    if request == ["quit"]:
        break
    if len(request) != 2 or request[0] != "run":
        raise SystemExit(f"embed_bench.py: unknown request {line.strip()!r}")
    count = int(request[1])
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        embedding = embed()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    reply({"wall": wall / count, "cpu": cpu / count, "peak_rss": memory()[1], "minor_faults": faults / count, "loss": {}})
