#!/usr/bin/env python3
"""Prints docs/results.md's student table (markdown) from scripts/results-students.sh's JSON.

    python3 scripts/results-students-table.py runs/results/students
"""
import json, os, sys

root = sys.argv[1]
names = ["teacher", "random", "maskdistill", "milan", "maskalign", "beitv2"]

def read(name, part):
    path = os.path.join(root, f"{name}-{part}.json")
    return json.load(open(path)) if os.path.exists(path) else None

def pct(d, key):
    return "–" if d is None else f"{d[key] * 100:.2f}%"

print("| model | emoji-category probe top-1 | balanced | Fashion-MNIST probe top-1 | fine-tune top-1 | balanced |")
print("|---|---:|---:|---:|---:|---:|")
for n in names:
    e, f, t = read(n, "probe-emoji"), read(n, "probe-fashion"), read(n, "finetune")
    print(f"| {n} | {pct(e, 'top1')} | {pct(e, 'balanced_accuracy')} | {pct(f, 'top1')} | {pct(t, 'top1')} | {pct(t, 'balanced_accuracy')} |")
e, f = read("teacher", "probe-emoji"), read("teacher", "probe-fashion")
if e and f and "pixel_top1" in e:
    print(f"| raw pixels (32×32) | {pct(e, 'pixel_top1')} | {pct(e, 'pixel_balanced_accuracy')} | {pct(f, 'pixel_top1')} | – | – |")
t = read("teacher", "finetune")
if t:
    print(f"\nfine-tuning: {t['epochs']} epoch ({t['steps']} steps of {t['batch_size']}), lr {t['learning_rate']}, layer decay {t['layer_decay']}; "
          f"{t['train_images']} training and {t['test_images']} test images")
