"""Reference forward passes for options the timm golden cases do not cover (three branches, one branch, crop_scale,
bilinear, qk_scale, dagger stems on three branches and on four input channels, one input channel, pooled features),
computed in float64 with perf/compare/crossvit_torch.py (a PyTorch CrossViT written after timm's crossvit.py).
Weights come from `crossvit init`, so the files carry their config.

    /usr/bin/python3 tests/CrossVit.Tests/data/reference/generate.py path/to/crossvit.dll
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "perf", "compare"))
import crossvit_torch  # noqa: E402

BASE = dict(in_channels=3, qkv_bias=True, qk_scale=None, drop_rate=0.0, attn_drop_rate=0.0, drop_path_rate=0.0,
            norm_eps=1e-6, multi_conv=False, global_pool="token", crop_scale=False, interpolation="bicubic", crop_pct=0.875)

CASES = {
    # Branches 0 and 1 are resized from 64 to 48; branch 2 sees the input as is.
    "three_branch": (dict(img_size=[48, 48, 64], patch_size=[8, 12, 16], num_classes=6, embed_dim=[24, 36, 48],
                          depth=[[1, 2, 1, 0], [1, 1, 2, 2]], num_heads=[2, 3, 4], mlp_ratio=[2, 3, 2]), (2, 64, 64)),
    # Crops with odd margins: Python's round-half-to-even decides the offsets (2, 4 and 10, 12).
    "crop_scale": (dict(img_size=[64, 48], patch_size=[8, 16], num_classes=5, embed_dim=[32, 48],
                        depth=[[1, 1, 0]], num_heads=[4, 4], mlp_ratio=[2, 2, 1], crop_scale=True), (1, 69, 71)),
    # Non-square input, one branch up-sampled and one down-sampled, bilinear; a fixed qk_scale; avg pooling.
    "bilinear_qk_scale": (dict(img_size=[48, 32], patch_size=[12, 16], num_classes=5, embed_dim=[24, 32],
                               depth=[[1, 1, 1], [1, 2, 0]], num_heads=[2, 4], mlp_ratio=[2, 2], qk_scale=0.25,
                               interpolation="bilinear", global_pool="avg"), (2, 40, 56)),
    # Dagger stems on three branches, two of equal width.
    "three_branch_dagger": (dict(img_size=[48, 64, 32], patch_size=[12, 16, 16], num_classes=4, embed_dim=[16, 32, 32],
                                 depth=[[1, 1, 1, 0]], num_heads=[2, 2, 4], mlp_ratio=[2, 2, 2], multi_conv=True), (1, 48, 48)),
    # One branch (its CLS token fuses with its own patches), one input channel, pooled features instead of logits,
    # no qkv bias, a fractional MLP ratio (hidden int(24 · 1.5) = 36), LayerNorm eps 1e-5, an input resized to 32.
    "one_branch_gray_features": (dict(img_size=[32], patch_size=[8], in_channels=1, num_classes=0, embed_dim=[24],
                                      depth=[[2, 1], [1, 0]], num_heads=[3], mlp_ratio=[1.5], qkv_bias=False,
                                      norm_eps=1e-5), (2, 40, 36)),
    # Four input channels through dagger stems (patch 16 first), both branches cropped from a larger odd input,
    # qk_scale, avg pooling, two fusion blocks per branch.
    "four_channel_dagger_crop": (dict(img_size=[48, 36], patch_size=[16, 12], in_channels=4, num_classes=3,
                                      embed_dim=[32, 16], depth=[[1, 2, 2]], num_heads=[2, 1], mlp_ratio=[3, 1.5],
                                      multi_conv=True, crop_scale=True, qk_scale=0.3, global_pool="avg"), (2, 53, 50)),
}


def random_input(seed, batch, channels, h, w):
    """The float32 NCHW input of a case: uniform in [-2, 2) from seed."""
    return np.random.default_rng(seed).uniform(-2, 2, size=(batch, channels, h, w)).astype(np.float32)


def reference(weights, x):
    """crossvit_torch's output for x with the weights (and config) of a `crossvit init` file, computed in float64."""
    with torch.no_grad():
        return crossvit_torch.load(weights).double()(torch.from_numpy(x).double()).numpy()


def main(cli):
    for seed, (name, (overrides, (batch, h, w))) in enumerate(CASES.items(), start=20):
        folder = os.path.join(here, name)
        os.makedirs(folder, exist_ok=True)
        config = dict(BASE, **overrides)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        weights = os.path.join(folder, "weights.safetensors")
        subprocess.run(["dotnet", cli, "init", "--config", os.path.join(folder, "config.json"), "--seed", str(seed),
                        "--output", weights], check=True, stdout=subprocess.DEVNULL)
        x = random_input(seed, batch, config["in_channels"], h, w)
        logits = reference(weights, x).astype(np.float32)
        np.save(os.path.join(folder, "input.npy"), x)
        np.save(os.path.join(folder, "logits.npy"), logits)
        print(name, logits.shape, float(np.abs(logits).max()))


if __name__ == "__main__":
    main(sys.argv[1])
