"""Pillow side of `bench decode`.

make DIR COUNT SEED   writes COUNT synthetic photo-like JPEGs (500x375 .. 1024x768, q90) into DIR
run SIZE PASSES FILE  times open_clip's evaluation preprocessing with Pillow + numpy on the
                      JPEG paths listed in FILE, without and with Image.draft(), printing JSON
                      with the best images/s over PASSES passes for each, per CPU second of
                      this thread (robust to a busy machine) and per wall-clock second.
"""
import json
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def make(directory, count, seed):
    rng = np.random.RandomState(seed)
    for i in range(count):
        w = int(rng.randint(500, 1025))
        h = int(round(w * rng.choice([0.75, 1.0, 1.333, 0.5625])))
        h = max(375, min(h, 1024))
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        phase = rng.uniform(0, 6.28, 3)
        base = np.stack([128 + 90 * np.sin(x / rng.uniform(40, 200) + y / rng.uniform(40, 200) + p) for p in phase], -1)
        im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(im)
        for _ in range(12):
            x0, y0 = rng.randint(0, w), rng.randint(0, h)
            r = rng.randint(20, max(21, w // 4))
            colour = tuple(int(c) for c in rng.randint(0, 256, 3))
            if rng.rand() < 0.5:
                draw.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], fill=colour, outline=(0, 0, 0), width=3)
            else:
                draw.polygon([(x0, y0), (x0 + r, y0 + r // 2), (x0 - r // 2, y0 + r)], fill=colour)
        im = im.filter(ImageFilter.GaussianBlur(1.2))
        noisy = np.asarray(im).astype(np.float32) + rng.normal(0, 4, (h, w, 3))
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(f"{directory}/img{i:04d}.jpg", quality=90)


def preprocess(path, size, draft):
    im = Image.open(path)
    if draft:
        im.draft("RGB", (size, size))
    im = im.convert("RGB")
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    nw, nh = (size, new_long) if w <= h else (new_long, size)
    im = im.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    im = im.crop((left, top, left + size, top + size))
    a = np.asarray(im, dtype=np.uint8).astype(np.float32) / np.float32(255)
    return np.ascontiguousarray(((a - MEAN) / STD).transpose(2, 0, 1))


def run(size, passes, list_file):
    with open(list_file) as f:
        paths = [line.strip() for line in f if line.strip()]
    result = {"pillow": Image.__version__}
    for name, draft in (("no_draft", False), ("draft", True)):
        best_cpu = best_wall = 0.0
        for _ in range(passes):
            cpu, wall = time.thread_time(), time.perf_counter()
            for p in paths:
                preprocess(p, size, draft)
            best_cpu = max(best_cpu, len(paths) / (time.thread_time() - cpu))
            best_wall = max(best_wall, len(paths) / (time.perf_counter() - wall))
        result[name] = {"cpu": best_cpu, "wall": best_wall}
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        run(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
