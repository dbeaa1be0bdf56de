"""CrossViT in plain PyTorch, written after timm's timm/models/crossvit.py (inference only: no dropout, no drop path).

Module and parameter names are timm's, so timm's state_dict (and the files `crossvit init` writes) load strictly.
The architecture comes from the runtime's config schema, which `crossvit init` stores in the safetensors metadata
under "crossvit.config" (per-branch img_size instead of timm's img_scale).
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_np


class Attention(nn.Module):
    """timm's vision_transformer Attention: fused qkv, softmax(q k^T * scale) v, output projection."""

    def __init__(self, dim, num_heads, qkv_bias, scale):
        super().__init__()
        self.num_heads = num_heads
        self.scale = scale
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()  # exact (erf) GELU, as timm
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """timm's vision_transformer Block (pre-norm attention and MLP, each with a residual)."""

    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, scale, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias, scale)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch_size, in_chans, embed_dim, multi_conv):
        super().__init__()
        if not multi_conv:
            self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
        elif patch_size in (12, 16):
            # The dagger models' three-convolution stem: strides 4·3·1 = 12 or 4·2·2 = 16.
            s2, p2, s3 = (3, 0, 1) if patch_size == 12 else (2, 1, 2)
            self.proj = nn.Sequential(
                nn.Conv2d(in_chans, embed_dim // 4, kernel_size=7, stride=4, padding=3),
                nn.ReLU(),
                nn.Conv2d(embed_dim // 4, embed_dim // 2, kernel_size=3, stride=s2, padding=p2),
                nn.ReLU(),
                nn.Conv2d(embed_dim // 2, embed_dim, kernel_size=3, stride=s3, padding=1),
            )
        else:
            raise ValueError(f"multi_conv needs patch size 12 or 16, not {patch_size}")

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class CrossAttention(nn.Module):
    """Only the CLS token queries: [B, 1, C] attends over all N tokens."""

    def __init__(self, dim, num_heads, qkv_bias, scale):
        super().__init__()
        self.num_heads = num_heads
        self.scale = scale
        self.wq = nn.Linear(dim, dim, bias=qkv_bias)
        self.wk = nn.Linear(dim, dim, bias=qkv_bias)
        self.wv = nn.Linear(dim, dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        h = self.num_heads
        q = self.wq(x[:, 0:1]).reshape(B, 1, h, C // h).permute(0, 2, 1, 3)
        k = self.wk(x).reshape(B, N, h, C // h).permute(0, 2, 1, 3)
        v = self.wv(x).reshape(B, N, h, C // h).permute(0, 2, 1, 3)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, 1, C))


class CrossAttentionBlock(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias, scale, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = CrossAttention(dim, num_heads, qkv_bias, scale)

    def forward(self, x):
        return x[:, 0:1] + self.attn(self.norm1(x))


def _proj(d_in, d_out, eps):
    return nn.Sequential(nn.LayerNorm(d_in, eps=eps), nn.GELU(), nn.Linear(d_in, d_out))


class MultiScaleBlock(nn.Module):
    """One stage: per-branch transformer blocks, then each branch's CLS token cross-attends to the next branch."""

    def __init__(self, dims, depth, num_heads, mlp_ratio, qkv_bias, scales, eps):
        super().__init__()
        n = len(dims)
        self.num_branches = n
        self.blocks = nn.ModuleList(
            nn.Sequential(*[Block(dims[d], num_heads[d], mlp_ratio[d], qkv_bias, scales[d], eps) for _ in range(depth[d])])
            for d in range(n))
        self.projs = nn.ModuleList(_proj(dims[d], dims[(d + 1) % n], eps) for d in range(n))

        def fusion(d_):
            block = lambda: CrossAttentionBlock(dims[d_], num_heads[d_], qkv_bias, scales[d_], eps)
            # timm keeps a bare block when the fusion depth is 0 (state_dict names without the Sequential index).
            return block() if depth[-1] == 0 else nn.Sequential(*[block() for _ in range(depth[-1])])

        self.fusion = nn.ModuleList(fusion((d + 1) % n) for d in range(n))
        self.revert_projs = nn.ModuleList(_proj(dims[(d + 1) % n], dims[d], eps) for d in range(n))

    def forward(self, xs):
        n = self.num_branches
        outs_b = [block(x) for block, x in zip(self.blocks, xs)]
        proj_cls = [proj(x[:, 0:1]) for proj, x in zip(self.projs, outs_b)]
        outs = []
        for i in range(n):
            tmp = self.fusion[i](torch.cat((proj_cls[i], outs_b[(i + 1) % n][:, 1:]), dim=1))
            outs.append(torch.cat((self.revert_projs[i](tmp[:, 0:1]), outs_b[i][:, 1:]), dim=1))
        return outs


class CrossVit(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        n = len(cfg["patch_size"])
        dims, heads, eps = cfg["embed_dim"], cfg["num_heads"], cfg["norm_eps"]
        scales = [cfg["qk_scale"] or (dims[d] // heads[d]) ** -0.5 for d in range(n)]
        for i in range(n):
            patches = (cfg["img_size"][i] // cfg["patch_size"][i]) ** 2
            setattr(self, f"pos_embed_{i}", nn.Parameter(torch.zeros(1, 1 + patches, dims[i])))
            setattr(self, f"cls_token_{i}", nn.Parameter(torch.zeros(1, 1, dims[i])))
        self.patch_embed = nn.ModuleList(
            PatchEmbed(cfg["patch_size"][i], cfg["in_channels"], dims[i], cfg["multi_conv"]) for i in range(n))
        self.blocks = nn.ModuleList(
            MultiScaleBlock(dims, stage, heads, cfg["mlp_ratio"], cfg["qkv_bias"], scales, eps) for stage in cfg["depth"])
        self.norm = nn.ModuleList(nn.LayerNorm(dims[i], eps=eps) for i in range(n))
        classes = cfg["num_classes"]
        self.head = nn.ModuleList(nn.Linear(dims[i], classes) if classes > 0 else nn.Identity() for i in range(n))

    def scale_image(self, x, size):
        H, W = x.shape[-2:]
        if H == size and W == size:
            return x
        if self.cfg["crop_scale"] and size <= H and size <= W:
            top, left = int(round((H - size) / 2.)), int(round((W - size) / 2.))
            return x[:, :, top:top + size, left:left + size]
        return F.interpolate(x, size=(size, size), mode=self.cfg["interpolation"], align_corners=False)

    def forward(self, x):
        B = x.shape[0]
        xs = []
        for i, patch_embed in enumerate(self.patch_embed):
            t = patch_embed(self.scale_image(x, self.cfg["img_size"][i]))
            t = torch.cat((getattr(self, f"cls_token_{i}").expand(B, -1, -1), t), dim=1)
            xs.append(t + getattr(self, f"pos_embed_{i}"))
        for stage in self.blocks:
            xs = stage(xs)
        xs = [norm(x) for norm, x in zip(self.norm, xs)]
        xs = [x[:, 1:].mean(dim=1) for x in xs] if self.cfg["global_pool"] == "avg" else [x[:, 0] for x in xs]
        if self.cfg["num_classes"] == 0:
            return torch.cat(xs, dim=1)
        return torch.stack([head(x) for head, x in zip(self.head, xs)]).mean(dim=0)


def load(path):
    """The model of a safetensors file written by `crossvit init` (its config in the metadata), in eval mode."""
    tensors, metadata = safetensors_np.load(path)
    if "crossvit.config" not in metadata:
        raise ValueError(f"{path} has no crossvit.config metadata; write it with `crossvit init`")
    model = CrossVit(json.loads(metadata["crossvit.config"]))
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()}, strict=True)
    return model.eval()
