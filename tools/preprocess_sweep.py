"""On-demand differential check of `crossvit preprocess` against PIL and timm's eval transform, on random images:
PNG (RGB, RGBA, gray, gray + alpha, palette, 16-bit gray, 1-bit), JPEG (quality, 4:4:4/4:2:2/4:2:0, baseline or
progressive, optimized tables, gray), BMP, PPM and PGM, 8–700 pixels a side, at four (size, crop_pct) pairs; where
libjpeg-turbo's cjpeg is installed, also JPEGs PIL cannot write (every sampling factor from 1x1 to 4x2 and 3x1,
restart intervals, RGB without a colour transform). Every tensor must be bit-identical to the reference; exits 1
otherwise. With --gray, every image is taken as PIL's grayscale (convert('L')), as timm loads one for a one-channel
model. Needs Debian's python3-pil and python3-numpy (and libjpeg-turbo-progs for cjpeg).

    /usr/bin/python3 tools/preprocess_sweep.py path/to/crossvit.dll [--seed S] [--cases N] [--gray]

--goldens DIR instead writes the grayscale goldens of the test images in DIR (NAME.gray240.npy, mean and std GRAY_*).
"""
import argparse
import math
import os
import random
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
GRAY_MEAN = np.array([0.5], dtype=np.float32)
GRAY_STD = np.array([0.25], dtype=np.float32)


def reference(image, size, crop_pct, gray=False):
    """timm's transforms_imagenet_eval on PIL: Resize(floor(size / crop_pct)) of the shorter side, bicubic;
    CenterCrop(size); ToTensor; Normalize. [1, 3, size, size] float32, or [1, 1, size, size] for gray."""
    image = image.convert("L" if gray else "RGB")
    mean, std = (GRAY_MEAN, GRAY_STD) if gray else (MEAN, STD)
    scale = math.floor(size / crop_pct)
    w, h = image.size
    new_w, new_h = (scale, int(scale * h / w)) if w <= h else (int(scale * w / h), scale)
    image = image.resize((new_w, new_h), Image.BICUBIC)
    top, left = int(round((new_h - size) / 2.0)), int(round((new_w - size) / 2.0))
    x = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.uint8).astype(np.float32) / 255.0
    x = x[:, :, None] if gray else x
    return ((x - mean) / std).transpose(2, 0, 1)[None]


def pixels(rng, w, h):
    """Smooth waves plus noise: JPEG and the resize both have work to do."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    planes = [128 + 100 * np.sin(rng.uniform(0.01, 0.2) * (rng.uniform(-1, 1) * xx + rng.uniform(-1, 1) * yy) + rng.uniform(0, 6))
              + rng.normal(0, rng.choice([0, 5, 30]), (h, w)) for _ in range(3)]
    return np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)


def write(kind, rgb, rng, r, path):
    """The image in the given encoding at path + extension; returns the path, or None where PIL cannot encode it."""
    image = Image.fromarray(rgb)
    h, w = rgb.shape[:2]
    if kind.startswith("jpeg"):
        path += ".jpg"
        source = image.convert("L") if kind == "jpeg_gray" else image
        try:
            source.save(path, "JPEG", quality=r.choice([50, 75, 90, 95, 100]), subsampling=r.choice([0, 1, 2]),
                        progressive=r.random() < 0.4, optimize=r.random() < 0.5)
        except OSError:  # libjpeg sometimes refuses progressive + optimize ("Suspension not allowed here")
            return None
        return path
    if kind == "cjpeg":
        gray = r.random() < 0.15
        source = path + (".pgm" if gray else ".ppm")
        (image.convert("L") if gray else image).save(source)
        options = ["-quality", str(r.choice([30, 75, 95, 100]))]
        options += [] if gray else ["-sample", r.choice(["1x1", "2x1", "1x2", "2x2", "4x1", "1x4", "4x2", "2x4", "3x1", "1x3"])]
        options += ["-progressive"] if r.random() < 0.4 else []
        options += ["-restart", str(r.choice([1, 2, 7]))] if r.random() < 0.3 else []
        options += ["-optimize"] if r.random() < 0.3 else []
        # cjpeg writes RGB without a colour transform only for baseline colour images.
        options += ["-rgb"] if not gray and "-progressive" not in options and r.random() < 0.2 else []
        subprocess.run(["cjpeg", *options, "-outfile", path + ".jpg", source], check=True)
        return path + ".jpg"
    encoded = {
        "png_rgb": lambda: image,
        "png_rgba": lambda: Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (h, w), dtype=np.uint8)])),
        "png_gray": lambda: image.convert("L"),
        "png_gray_alpha": lambda: image.convert("LA"),
        "png_palette": lambda: image.convert("P", palette=Image.ADAPTIVE, colors=r.choice([2, 16, 256])),
        "png_16": lambda: Image.fromarray((rgb[:, :, 0].astype(np.uint16) * 257 + rng.integers(0, 257, (h, w))).astype(np.uint16)),
        "png_1bit": lambda: image.convert("1"),
        "bmp": lambda: image,
        "ppm": lambda: image,
        "pgm": lambda: image.convert("L"),
    }[kind]()
    path += {"bmp": ".bmp", "ppm": ".ppm", "pgm": ".pgm"}.get(kind, ".png")
    encoded.save(path)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--gray", action="store_true")
    parser.add_argument("--goldens")
    args = parser.parse_args()
    if args.goldens:
        for name in sorted(os.listdir(args.goldens)):
            if name.endswith((".png", ".jpg")):
                np.save(os.path.join(args.goldens, name + ".gray240.npy"), reference(Image.open(os.path.join(args.goldens, name)), 240, 0.875, True))
        return
    kinds = ["png_rgb", "png_rgba", "png_gray", "png_gray_alpha", "png_palette", "png_16", "png_1bit",
             "jpeg", "jpeg", "jpeg", "jpeg_gray", "bmp", "ppm", "pgm"] + ["cjpeg"] * 3 * bool(shutil.which("cjpeg"))
    r, checked, failures = random.Random(args.seed), 0, 0
    with tempfile.TemporaryDirectory() as folder:
        for case in range(args.cases):
            rng = np.random.default_rng([args.seed, case])
            w, h, kind = r.randint(8, 700), r.randint(8, 700), r.choice(kinds)
            path = write(kind, pixels(rng, w, h), rng, r, os.path.join(folder, f"image{case}"))
            if path is None:
                continue
            size, crop_pct = r.choice([(240, 0.875), (224, 0.9), (408, 1.0), (240, 1.0)])
            output = os.path.join(folder, "x.npy")
            gray = ["--gray", "--mean", str(GRAY_MEAN[0]), "--std", str(GRAY_STD[0])] if args.gray else []
            done = subprocess.run(["dotnet", args.cli, "preprocess", path, "--size", str(size), "--crop-pct", str(crop_pct),
                                   *gray, "--output", output], capture_output=True, text=True)
            checked += 1
            what = f"{kind} {w}x{h} at {size}, crop_pct {crop_pct}"
            if done.returncode:
                failures += 1
                print(case, "FAIL", what, done.stderr.strip())
                continue
            got, expected = np.load(output), reference(Image.open(path), size, crop_pct, args.gray)
            if got.shape != expected.shape or not np.array_equal(got, expected):
                failures += 1
                worst = np.abs(got - expected).max() if got.shape == expected.shape else "shape " + str(got.shape)
                print(case, "DIFF", what, worst)
    print(f"{checked - failures} of {checked} images bit-identical ({args.cases - checked} PIL could not encode)")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
