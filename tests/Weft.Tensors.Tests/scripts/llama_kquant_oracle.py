#!/usr/bin/python3
"""llama_kquant_oracle.py WORKDIR REFHARNESS TYPE... : K-quant blocks written by llama.cpp's own quantizer.

Writes a tiny llama-architecture GGUF with F32 weights (rows of varied shapes: gaussian at many scales, heavy
tails, all-positive, zero groups, outliers), quantizes it with `REFHARNESS quantize IN OUT TYPE --pure`
(llama_model_quantize, no importance matrix) for each TYPE (Q2_K, Q3_K_S, Q4_K_S, Q5_K_S, Q6_K), and for every
2-D tensor stored in the K type writes WORKDIR/<ggml type>.<tensor>.f32 (the source rows) and .q (llama.cpp's
blocks), listing them in WORKDIR/manifest.txt as "<ggml type> <tensor> <rows> <cols>".
Needs PYTHONPATH=<llama.cpp src>/gguf-py and numpy.
"""
import os
import subprocess
import sys

import numpy as np
import gguf

E, FF, VOCAB = 256, 512, 256


def rows(rng, n_rows, n_cols):
    x = rng.standard_normal((n_rows, n_cols), dtype=np.float32)
    for r in range(n_rows):
        kind = r % 8
        scale = np.float32(np.exp(rng.uniform(-6, 3)))
        if kind == 1:
            x[r] = rng.standard_t(3, n_cols).astype(np.float32)            # heavy tails
        elif kind == 2:
            x[r] = np.abs(x[r]) + np.float32(0.5)                          # all positive (non-zero mins)
        elif kind == 3:
            x[r, : n_cols // 4] = 0                                         # zero groups
        elif kind == 4:
            x[r, rng.integers(n_cols)] *= np.float32(40)                    # one outlier
        elif kind == 5:
            x[r] = rng.uniform(-1, 1, n_cols).astype(np.float32)
        elif kind == 6:
            x[r] = -np.abs(x[r])                                            # all negative
        x[r] *= scale
    return x


def main():
    work, refharness, types = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20240601)
    src = os.path.join(work, "src.gguf")
    w = gguf.GGUFWriter(src, "llama")
    w.add_uint32("general.file_type", 0)
    w.add_uint32("llama.context_length", 64)
    w.add_uint32("llama.embedding_length", E)
    w.add_uint32("llama.block_count", 1)
    w.add_uint32("llama.feed_forward_length", FF)
    w.add_uint32("llama.attention.head_count", 2)
    w.add_uint32("llama.attention.head_count_kv", 2)
    w.add_uint32("llama.rope.dimension_count", E // 2)
    w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5)
    w.add_uint32("llama.vocab_size", VOCAB)
    w.add_string("tokenizer.ggml.model", "llama")
    w.add_array("tokenizer.ggml.tokens", [f"<t{i}>" for i in range(VOCAB)])
    w.add_array("tokenizer.ggml.scores", [0.0] * VOCAB)
    w.add_array("tokenizer.ggml.token_type", [1] * VOCAB)
    tensors = {
        "token_embd.weight": (VOCAB, E),
        "output.weight": (VOCAB, E),
        "blk.0.attn_q.weight": (E, E),
        "blk.0.attn_k.weight": (E, E),
        "blk.0.attn_v.weight": (E, E),
        "blk.0.attn_output.weight": (E, E),
        "blk.0.ffn_gate.weight": (FF, E),
        "blk.0.ffn_up.weight": (FF, E),
        "blk.0.ffn_down.weight": (E, FF),
    }
    data = {}
    for name, shape in tensors.items():
        data[name] = rows(rng, *shape)
        w.add_tensor(name, data[name])
    for name in ("output_norm.weight", "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight"):
        w.add_tensor(name, np.ones(E, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    manifest = []
    for t in types:
        out = os.path.join(work, f"{t}.gguf")
        r = subprocess.run([refharness, "quantize", src, out, t, "--pure", "-t", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"quantize {t} failed:\n{r.stdout[-3000:]}")
        for rt in gguf.GGUFReader(out).tensors:
            if rt.name not in data or not rt.tensor_type.name.endswith("_K"):
                continue
            qname = rt.tensor_type.name
            base = os.path.join(work, f"{qname}.{rt.name}")
            data[rt.name].tofile(base + ".f32")
            np.asarray(rt.data).view(np.uint8).tofile(base + ".q")
            n_rows, n_cols = data[rt.name].shape
            manifest.append(f"{qname} {rt.name} {n_rows} {n_cols}")
    with open(os.path.join(work, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
