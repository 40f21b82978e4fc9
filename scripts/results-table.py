#!/usr/bin/env python3
"""Prints docs/results.md's rows (markdown) from the run folders scripts/results.sh writes.

    python3 scripts/results-table.py runs/results clip-s0-1e clip-s0-10m ...

A name may hold '*' (e.g. 'clip-s*-1e'): the matching runs are shown as mean ± std.
"""
import glob, json, os, re, statistics, sys

def load(run):
    def read(name):
        with open(os.path.join(run, name)) as f:
            return json.load(f)
    concept, style, val = (read(f"eval-retrieval-{s}.json") for s in ("test-concept", "test-style", "val"))
    zeroshot = read("eval-zeroshot-category.json")
    log = open(run + ".log").read()
    done = re.findall(r"done: (\d+) steps in ([\d.]+) s", log)
    steps, seconds = (int(done[-1][0]), float(done[-1][1])) if done else (None, None)
    return {
        "val i2t R@5": val["image_to_text"]["R@5"],
        "concepts i2t R@1": concept["image_to_text"]["R@1"], "i2t R@5": concept["image_to_text"]["R@5"],
        "t2i R@1": concept["text_to_image"]["R@1"], "t2i R@5": concept["text_to_image"]["R@5"],
        "style i2t R@1": style["image_to_text"]["R@1"], "style i2t R@5": style["image_to_text"]["R@5"],
        "zero-shot category": zeroshot["top1"], "steps": steps, "training s": seconds,
    }

def cell(values, percent):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    scale, unit = (100, "%") if percent else (1, "")
    fmt = (lambda v: f"{v * scale:.2f}") if percent else (lambda v: f"{v:.0f}")
    if len(values) == 1:
        return fmt(values[0]) + unit
    return f"{fmt(statistics.mean(values))} ± {fmt(statistics.stdev(values))}{unit}"

root, names = sys.argv[1], sys.argv[2:]
columns = None
for name in names:
    runs = sorted(p for p in glob.glob(os.path.join(root, name)) if os.path.isdir(p))
    if not runs:
        print(f"| {name} | (no runs) |")
        continue
    rows = [load(r) for r in runs]
    if columns is None:
        columns = list(rows[0])
        print("| run | " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * len(columns))
    label = name if len(runs) == 1 else f"{name} ({len(runs)} runs)"
    print(f"| {label} | " + " | ".join(cell([r[c] for r in rows], c not in ("steps", "training s")) for c in columns) + " |")
