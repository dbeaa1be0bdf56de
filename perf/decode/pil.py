#!/usr/bin/env python3
"""PIL's side of DecodeBenchmarks: the same images decoded, then timm's eval transform for crossvit_*_240
(bicubic resize of the shorter side to floor(240 / 0.875), centre crop 240, ToTensor, ImageNet Normalize) done with
PIL and NumPy, as timm's transform does it. Prints the median of --rounds runs of each, in milliseconds, in three
columns: PIL's decoder alone (`Image.open` and `load()`), the image as timm's loader opens it
(`Image.open(...).convert('RGB')`, which decodes inside `convert`), and that loader followed by the transform.

Each run's image is freed before the next, as a server's would be; PIL's times depend on how its allocator reuses
that memory (fresh pages cost a page fault each on a VM), so the decoder alone and the loader can differ by more
than the copy `convert` makes.

    /usr/bin/python3 perf/decode/pil.py [--rounds 30]
"""
import argparse
import io
import math
import pathlib
import statistics
import time

import numpy as np
from PIL import Image

IMAGES = pathlib.Path(__file__).resolve().parents[2] / "tests/CrossVit.Tests/data/golden/images"
FILES = ["hubble_deep_field.jpg", "astronaut_progressive.jpg", "chelsea.png"]
SIZE, CROP_PCT = 240, 0.875
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)


def decode(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def timm_loader(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def preprocess(image):
    scale = math.floor(SIZE / CROP_PCT)
    w, h = image.size
    size = (scale, int(scale * h / w)) if w <= h else (int(scale * w / h), scale)
    image = image.resize(size, Image.BICUBIC)
    left, top = round((size[0] - SIZE) / 2), round((size[1] - SIZE) / 2)
    image = image.crop((left, top, left + SIZE, top + SIZE))
    tensor = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255
    return (tensor - MEAN) / STD


def median_ms(body, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    print(f"{'file':28}{'decode ms':>12}{'timm loader ms':>17}{'loader + preprocess ms':>26}")
    for name in FILES:
        data = (IMAGES / name).read_bytes()
        decoded = median_ms(lambda: decode(data), rounds)
        loaded = median_ms(lambda: timm_loader(data), rounds)
        both = median_ms(lambda: preprocess(timm_loader(data)), rounds)
        print(f"{name:28}{decoded:12.2f}{loaded:17.2f}{both:26.2f}")


if __name__ == "__main__":
    main()
