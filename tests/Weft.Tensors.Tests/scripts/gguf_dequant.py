#!/usr/bin/python3
"""gguf_dequant.py DIR: decodes DIR/<TYPE>.q with llama.cpp's gguf-py (gguf.quants) into DIR/<TYPE>.f32.

TYPE is a ggml type name (Q2_K, Q3_K, ...). gguf-py has no Q8_K class, so Q8_K is decoded here with numpy
from its block layout (float32 d, int8 qs[256], int16 bsums[16]): x = d * q.
Also writes DIR/quantize_support.txt: the K types for which gguf.quants can quantize.
Needs PYTHONPATH=<llama.cpp src>/gguf-py and numpy.
"""
import os
import sys

import numpy as np
from gguf import quants
from gguf.constants import GGMLQuantizationType


def q8_k(raw):
    blocks = raw.reshape(-1, 292)
    d = blocks[:, :4].copy().view(np.float32)
    q = blocks[:, 4:260].copy().view(np.int8).astype(np.float32)
    return (d * q).reshape(-1)


def main():
    work = sys.argv[1]
    for name in sorted(os.listdir(work)):
        if not name.endswith(".q"):
            continue
        tname = name[:-2]
        raw = np.fromfile(os.path.join(work, name), dtype=np.uint8)
        if tname == "Q8_K":
            out = q8_k(raw)
        else:
            out = quants.dequantize(raw, GGMLQuantizationType[tname]).reshape(-1)
        out.astype(np.float32).tofile(os.path.join(work, tname + ".f32"))

    supported = []
    for t in ("Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"):
        try:
            quants.quantize(np.zeros((1, 256), dtype=np.float32), GGMLQuantizationType[t])
            supported.append(t)
        except NotImplementedError:
            pass
    with open(os.path.join(work, "quantize_support.txt"), "w") as f:
        f.write(" ".join(supported) + "\n")


if __name__ == "__main__":
    main()
