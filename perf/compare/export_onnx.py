"""Exports the PyTorch CrossViT of a safetensors file to ONNX (opset 17, batch dimension dynamic).

usage: export_onnx.py WEIGHTS.safetensors OUT.onnx
"""
import sys

import torch

import crossvit_torch


def export(weights, out):
    model = crossvit_torch.load(weights)
    size = max(model.cfg["img_size"])
    example = torch.zeros(1, model.cfg["in_channels"], size, size)
    with torch.no_grad():
        # Opset 17 has LayerNormalization; ONNX Runtime fuses the erf GELU and attention patterns itself.
        torch.onnx.export(model, example, out, opset_version=17, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


if __name__ == "__main__":
    export(*sys.argv[1:3])
