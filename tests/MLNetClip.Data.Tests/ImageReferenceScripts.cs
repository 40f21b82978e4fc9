namespace MLNetClip.Data.Tests;

/// <summary>
/// The Python side of the image tests: it writes JPEGs with Pillow and records what
/// Pillow decodes from them, and it computes the open_clip preprocessing (torchvision's
/// Resize + CenterCrop / RandomResizedCrop + ToTensor + Normalize, written out with Pillow
/// and numpy since torchvision is not installed) for given files and crops.
/// </summary>
internal static class ImageReferenceScripts
{
    /// <summary>
    /// argv: out_dir. Writes NAME.jpg plus raw RGB decodes NAME.full, NAME.sK (draft at 1/K),
    /// NAME.oriented (exif_transpose) and smooth.box300 / box400 (box-filtered full decodes);
    /// prints the cases as JSON.
    /// </summary>
    public const string MakeJpegs = """
import sys, json, math
import numpy as np
from PIL import Image, ImageOps

out = sys.argv[1]
rng = np.random.RandomState(7)

def synth(w, h, noise=12):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 128 + 100 * np.sin(x / 17.0 + y / 29.0)
    g = 255 * x / max(w - 1, 1)
    b = 255 * ((x // 16 + y // 16) % 2)
    img = np.stack([r, g, b], -1) + rng.normal(0, noise, (h, w, 3))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")

cases = []
def case(name, im, **kw):
    path = f"{out}/{name}.jpg"
    im.save(path, "JPEG", **kw)
    w, h = Image.open(path).size
    rec = {"name": name, "width": w, "height": h, "scaled": []}
    for s in (2, 4, 8):
        if w // s < 1 or h // s < 1:
            continue
        d = Image.open(path)
        d.draft("RGB", (w // s, h // s))
        if d.size != ((w + s - 1) // s, (h + s - 1) // s):
            continue
        np.asarray(d.convert("RGB")).tofile(f"{out}/{name}.s{s}")
        rec["scaled"].append(s)
    np.asarray(Image.open(path).convert("RGB")).tofile(f"{out}/{name}.full")
    o = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    np.asarray(o).tofile(f"{out}/{name}.oriented")
    rec["oriented"] = list(o.size)
    cases.append(rec)

base = synth(333, 251)
case("q90_420", base, quality=90)
case("q95_444", base, quality=95, subsampling=0)
case("q75_422", base, quality=75, subsampling=1)
case("progressive", base, quality=85, progressive=True)
case("gray", base.convert("L"), quality=90)
case("cmyk", base.convert("CMYK"), quality=90)
case("tiny1x1", synth(1, 1), quality=90)
case("tiny7x5", synth(7, 5), quality=90)
case("large", synth(800, 600), quality=90)
case("smooth", synth(800, 600, noise=0), quality=90)
for w, h in ((300, 225), (400, 300)):
    box = Image.open(f"{out}/smooth.jpg").convert("RGB").resize((w, h), Image.BOX)
    np.asarray(box).tofile(f"{out}/smooth.box{w}")
for k in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = k
    case(f"exif{k}", synth(40, 24), quality=92, exif=exif.tobytes())
print(json.dumps(cases))
""";

    /// <summary>
    /// argv: output path, size, then per image "path" (evaluation), "draft!path" (evaluation
    /// after Image.draft, Pillow's own DCT reduction) or "path:x:y:w:h:flip" (crop). Writes
    /// the [N, 3, size, size] float32 batch to the output path.
    /// </summary>
    public const string Preprocess = """
import sys
import numpy as np
from PIL import Image

out, size = sys.argv[1], int(sys.argv[2])
mean = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
std = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)

def evaluation(im):
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    nw, nh = (size, new_long) if w <= h else (new_long, size)
    im = im.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return im.crop((left, top, left + size, top + size))

planes = []
for spec in sys.argv[3:]:
    draft = spec.startswith("draft!")
    parts = spec[len("draft!"):].split(":") if draft else spec.split(":")
    im = Image.open(parts[0])
    if draft:
        im.draft("RGB", (size, size))
    im = im.convert("RGB")
    if len(parts) == 1:
        im = evaluation(im)
    else:
        x, y, w, h, flip = map(int, parts[1:])
        im = im.crop((x, y, x + w, y + h)).resize((size, size), Image.BICUBIC)
        if flip:
            im = im.transpose(Image.FLIP_LEFT_RIGHT)
    a = np.asarray(im, dtype=np.uint8).astype(np.float32) / np.float32(255)
    planes.append(((a - mean) / std).transpose(2, 0, 1))
np.ascontiguousarray(np.stack(planes), dtype=np.float32).tofile(out)
""";
}
