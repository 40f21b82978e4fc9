#!/usr/bin/python3
"""Draws the README's heatmap input: a red heart on the left, a yellow sun on the right, on white.

Every pixel comes from the shapes below (no emoji artwork from any package), so the picture and
the heat maps drawn over it can be committed. Drawn at 8x the size and shrunk, for smooth edges.
Usage: /usr/bin/python3 scripts/draw-scene.py OUT.png [SIZE]   (SIZE defaults to 256)
"""
import math
import sys

from PIL import Image, ImageDraw

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 256
scale = 8
side = size * scale
canvas = Image.new("RGB", (side, side), (255, 255, 255))
draw = ImageDraw.Draw(canvas)


def at(x, y):
    """A point given in units of the final picture's side (0..1)."""
    return (x * side, y * side)


def heart(cx, cy, r, colour):
    """Two discs and the triangle below them: the classic heart outline."""
    for dx in (-r / 2, r / 2):
        draw.ellipse([at(cx + dx - r / 2, cy - r / 2), at(cx + dx + r / 2, cy + r / 2)], fill=colour)
    draw.polygon([at(cx - r * 0.98, cy + r * 0.12), at(cx + r * 0.98, cy + r * 0.12), at(cx, cy + r * 1.15)], fill=colour)


def sun(cx, cy, r, colour, rays=12):
    """A disc with thin triangular rays around it."""
    for k in range(rays):
        a = 2 * math.pi * k / rays
        tip = at(cx + 1.6 * r * math.cos(a), cy + 1.6 * r * math.sin(a))
        left = at(cx + 1.1 * r * math.cos(a - 0.18), cy + 1.1 * r * math.sin(a - 0.18))
        right = at(cx + 1.1 * r * math.cos(a + 0.18), cy + 1.1 * r * math.sin(a + 0.18))
        draw.polygon([left, tip, right], fill=colour)
    draw.ellipse([at(cx - r, cy - r), at(cx + r, cy + r)], fill=colour)


heart(0.26, 0.42, 0.19, (221, 46, 68))
sun(0.74, 0.52, 0.14, (255, 196, 36))
canvas.resize((size, size), Image.LANCZOS).save(out)
