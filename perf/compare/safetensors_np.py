"""A minimal safetensors reader on numpy: 8-byte little-endian header length, JSON header, raw little-endian data."""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "F64": np.dtype("<f8"), "BF16": np.dtype("<u2")}


def load(path):
    """Returns ({name: float32 array}, metadata dict). F16, BF16 and F64 are converted to float32."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {dtype}; only F32, F16, BF16 and F64 are read")
        start, end = info["data_offsets"]
        raw = np.frombuffer(body[start:end], dtype=_DTYPES[dtype])
        if dtype == "BF16":
            # bfloat16 is the top half of a float32.
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = raw.astype(np.float32).reshape(info["shape"])
    return tensors, metadata
