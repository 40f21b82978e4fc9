"""Reference side of bench train: the same pretraining step in plain PyTorch.

Loads what our worker wrote (TrainBenchWorker.WriteInit): the method's initial weights, the
batch, and the optimiser settings. Builds the same method (clip_reference.py), AdamW with the same
parameter groups (derived here by the same rule, then checked against ours), and answers the
line protocol on stdin/stdout:
  start   -> {"event": "ready", "baseline_rss", "rss", "parameters", "text_length"}
  run N   -> N steps -> {"wall", "cpu" (seconds per step), "peak_rss" (bytes), "minor_faults" (per step),
             "loss": {term: value}}
  quit    -> exit
One step, as our loop's TrainingStep: lr from the cosine schedule, zero_grad(set_to_none),
captions cut to the longest one, forward, backward, clip_grad_norm_, the loss read back for the
non-finite guard, AdamW.step, the logit scale clamped to [0, ln 100], the method's after-step
update (the EMA teacher).
"""
import argparse
import json
import math
import resource
import sys
import time

import torch

import clip_reference
import maskclip_reference

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


def skip_decay(name, p):
    """The no-decay rule of our ParamGroup.ForWeightDecay: biases and gains, embeddings, tokens, the logit scale."""
    lower = name.lower()
    return p.dim() < 2 or "embed" in lower or "logit_scale" in name or "token" in lower


def cosine_lr(cfg, step):
    """Our CosineSchedule.At: linear warm-up to the peak, then a half cosine down to the floor."""
    base, floor, warmup, total = cfg["learning_rate"], cfg["min_learning_rate"], cfg["warmup_steps"], cfg["planned_steps"]
    if step < warmup:
        return base * (step + 1) / warmup
    decay = total - warmup
    if decay <= 0:
        return base
    progress = min(1.0, (step - warmup) / decay)
    return floor + 0.5 * (1 + math.cos(math.pi * progress)) * (base - floor)


def build_method(cfg):
    if cfg["method"] == "clip":
        return clip_reference.ClipMethod(cfg)
    if cfg["method"] in ("maskclip", "maskclip-efficient"):
        return maskclip_reference.MaskClipMethod(cfg, efficient=cfg["method"] == "maskclip-efficient")
    raise SystemExit(f"train_bench.py: no reference for method '{cfg['method']}'")


baseline_rss, _ = memory()
tensors, metadata = clip_reference.read_safetensors(args.init)
cfg = json.loads(metadata["config"])
images, ids = tensors.pop("batch.images"), tensors.pop("batch.token_ids")
method = build_method(cfg)
method.load_state_dict(tensors, strict=True)
del tensors

trainable = [(n, p) for n, p in method.named_parameters() if p.requires_grad]
no_decay = [n for n, p in trainable if skip_decay(n, p)]
if sorted(no_decay) != sorted(cfg["no_decay"]):
    raise SystemExit(f"train_bench.py: parameter groups differ from ours: "
                     f"only here {sorted(set(no_decay) - set(cfg['no_decay']))}, only ours {sorted(set(cfg['no_decay']) - set(no_decay))}")
optimizer = torch.optim.AdamW(
    [{"params": [p for n, p in trainable if not skip_decay(n, p)], "weight_decay": cfg["weight_decay"]},
     {"params": [p for n, p in trainable if skip_decay(n, p)], "weight_decay": 0.0}],
    lr=cfg["learning_rate"], betas=tuple(cfg["betas"]), eps=cfg["eps"])
parameters = [p for _, p in trainable]
step_index = 0


def trim(rows):
    """Our TextTrim.ToLongest: cut [B, 77] rows after the latest end token of the batch."""
    length = int(method.model.text.end_token_index(rows).max().item()) + 1
    return rows.narrow(1, 0, length).contiguous()


def step():
    global step_index
    for group in optimizer.param_groups:
        group["lr"] = cosine_lr(cfg, step_index)
    optimizer.zero_grad(set_to_none=True)
    terms = method(images, trim(ids), step_index)
    losses = [v for k, v in terms.items() if k.endswith("Loss")]
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    total.backward()
    norm = torch.nn.utils.clip_grad_norm_(parameters, cfg["grad_clip_norm"] if cfg["grad_clip_norm"] > 0 else math.inf)
    if not (math.isfinite(total.item()) and math.isfinite(norm.item())):
        raise SystemExit(f"train_bench.py: non-finite loss or gradient at step {step_index}")
    optimizer.step()
    with torch.no_grad():
        method.model.logit_scale.clamp_(0, math.log(clip_reference.Clip.MAX_LOGIT_SCALE))
    method.after_step(step_index)
    step_index += 1
    return terms


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


reply({"event": "ready", "baseline_rss": baseline_rss, "rss": memory()[0],
       "parameters": sum(p.numel() for p in method.parameters()), "text_length": trim(ids).size(1)})
for line in sys.stdin:
    request = line.split()
    if request == ["quit"]:
        break
    if len(request) != 2 or request[0] != "run":
        raise SystemExit(f"train_bench.py: unknown request {line.strip()!r}")
    count = int(request[1])
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        terms = step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    reply({"wall": wall / count, "cpu": cpu / count, "peak_rss": memory()[1], "minor_faults": faults / count,
           "loss": {k: v.item() for k, v in terms.items()}})
