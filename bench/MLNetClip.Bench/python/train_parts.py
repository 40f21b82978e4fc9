"""Where a training step's time goes: each part of a method's step, timed alone in process CPU time.

Usage: /usr/bin/python3 train_parts.py --init INIT.safetensors [--threads 2] [--repeats 3]
INIT is what bench train's worker writes (TrainBenchWorker.WriteInit); make one with
  echo quit | dotnet MLNetClip.Bench.dll train-worker --method maskclip-efficient --init INIT.safetensors

Each part runs as the full step runs it (same modules, weights, batch and masks), forward and,
where the step trains it, backward, and is timed by process CPU time (all threads), which a loaded
machine disturbs far less than wall time. The parts are summed and set beside one whole step, and
each part's matrix-product FLOPs (as bench/TrainFlops.cs counts them) give its GFLOP/s, so a part
that runs slow for its FLOPs stands out. Prints one JSON object per part, then a summary line.
"""
import argparse
import json
import math
import time

import torch

import clip_reference
import maskclip_reference

parser = argparse.ArgumentParser()
parser.add_argument("--init", required=True)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()
torch.set_num_threads(args.threads)

tensors, metadata = clip_reference.read_safetensors(args.init)
cfg = json.loads(metadata["config"])
images, ids = tensors.pop("batch.images"), tensors.pop("batch.token_ids")
method_name = cfg["method"]
if method_name == "clip":
    method = clip_reference.ClipMethod(cfg)
else:
    method = maskclip_reference.MaskClipMethod(cfg, efficient=method_name == "maskclip-efficient")
method.load_state_dict(tensors, strict=True)
model, opts = method.model, cfg.get("mask_clip") or {}
length = int(model.text.end_token_index(ids).max().item()) + 1
ids = ids.narrow(1, 0, length).contiguous()
b = images.size(0)
vision, text = cfg["model"]["Vision"], cfg["model"]["Text"]
n = vision["GridSize"] ** 2
embed_dim = cfg["model"]["EmbedDim"]


def transformer_flops(t, d, h, layers):
    return layers * 2.0 * (4 * t * d * d + 2 * t * t * d + 2 * t * d * h)


def vision_flops(visible):
    pixels = vision["Channels"] * vision["PatchSize"] ** 2
    return 2.0 * visible * pixels * vision["Width"] + transformer_flops(1 + visible, vision["Width"], vision["MlpHidden"],
                                                                       vision["Layers"]) + 2.0 * vision["Width"] * embed_dim


text_flops = transformer_flops(length, text["Width"], text["MlpHidden"], text["Layers"]) + 2.0 * text["Width"] * embed_dim


def cpu_seconds(fn):
    fn()                                                                     # warm-up: allocator, thread pools
    start = time.process_time()
    for _ in range(args.repeats):
        fn()
    return (time.process_time() - start) / args.repeats


def backward(*outputs):
    sum(o.float().sum() for o in outputs).backward()


parts = []


def part(name, fn, flops, keep_grads=False):
    if not keep_grads:
        method.zero_grad(set_to_none=True)
    seconds = cpu_seconds(fn)
    if not keep_grads:
        method.zero_grad(set_to_none=True)
    parts.append(seconds)
    gflops = flops * b / 1e9
    print(json.dumps({"part": name, "cpu_s": round(seconds, 4), "gflop": round(gflops, 2),
                      "gflop_per_cpu_s": round(gflops / seconds, 1) if flops else None}), flush=True)


generator = torch.Generator().manual_seed(0)
if method_name == "clip":
    part("image tower, full view, trained", lambda: backward(*model.visual.encode(images)), 3 * vision_flops(n))
    part("text tower, trained", lambda: backward(model.text(ids)), 3 * text_flops)
else:
    ratio = opts["MaskRatio"]
    visible, mask, restore = maskclip_reference.random_patch_mask(b, n, ratio, generator)
    k = visible.size(1)
    width = vision["Width"]
    if method_name == "maskclip":
        part("image tower, full view, trained", lambda: backward(*model.visual.encode(images)), 3 * vision_flops(n))
    part(f"student: image tower on {k} of {n} patches, trained", lambda: backward(*model.visual.encode(images, visible)),
         3 * vision_flops(k))
    with torch.no_grad():
        student_tokens = model.visual.norm(model.visual.encode(images, visible)[0])
    decoder_flops = (2.0 * (1 + k) * width * width + transformer_flops(1 + n, width, 4 * width, opts["DecoderDepth"])
                     + 2.0 * (1 + n) * width * width)
    part("image decoder, trained", lambda: backward(method.image_decoder(student_tokens.requires_grad_(), restore)),
         3 * decoder_flops)
    part("EMA teacher, full view, no grad", lambda: method.teacher_patches(images), vision_flops(n))
    part("text tower, trained", lambda: backward(model.text(ids)), 3 * text_flops)
    if opts["TextBranch"]:
        d = text["Width"]
        slots = max(1, maskclip_reference.mask_count(length - 2, opts["TextMaskRatio"]))
        masked = maskclip_reference.random_text_mask(ids, model.text.end_token_index(ids), opts["TextMaskRatio"], generator)
        decoder = 2.0 * length * d * d + transformer_flops(length, d, 4 * d, opts["TextDecoderDepth"]) + 2.0 * length * d * d
        logits_flops = 2.0 * slots * d * text["VocabSize"]
        part("MLM: masked text tower, trained", lambda: backward(model.text.encode(ids, masked, method.text_mask_token)[1]),
             3 * text_flops)
        with torch.no_grad():
            normed = model.text.encode(ids, masked, method.text_mask_token)[1]
        part("MLM: text decoder, trained", lambda: backward(method.text_decoder(normed.requires_grad_())), 3 * decoder)
        with torch.no_grad():
            hidden = method.text_decoder(normed)
        weights, chosen = masked.to(torch.float32).topk(slots, dim=1)

        def word_logits():
            picked = hidden.gather(1, chosen.unsqueeze(-1).expand(b, slots, d)).requires_grad_()
            logits = torch.nn.functional.linear(picked, model.text.token_embed.weight, method.text_word_bias)
            maskclip_reference.masked_cross_entropy(logits, ids.gather(1, chosen), weights).backward()

        part(f"MLM: word logits ({slots} slots x {text['VocabSize']} words) and cross-entropy, trained", word_logits,
             3 * logits_flops)

# The rest of a step: the optimiser and the EMA update over every parameter they touch.
trainable = [p for p in method.parameters() if p.requires_grad]
for p in trainable:
    p.grad = torch.zeros_like(p)
optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.1)
part(f"clip_grad_norm_ + AdamW over {sum(p.numel() for p in trainable) / 1e6:.1f} M parameters",
     lambda: (torch.nn.utils.clip_grad_norm_(trainable, 1.0), optimizer.step()), 0, keep_grads=True)
if method_name != "clip":
    part(f"EMA lerp over {sum(p.numel() for p in method.teacher.parameters()) / 1e6:.1f} M teacher values",
         lambda: method.teacher.update(model, 0.99), 0, keep_grads=True)
print(json.dumps({"parts_cpu_s": round(sum(parts), 3), "method": method_name, "threads": args.threads}))
