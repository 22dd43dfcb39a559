# Reads a GGUF file with llama.cpp's own Python reader (gguf-py) and prints what it found as JSON.
# Usage: gguf_py_read.py IN.gguf
# Arrays of arrays come out flattened (gguf-py flattens them); "types" lists the value type names, outermost first.
# Floats are given as {"double": the 8 bytes of the IEEE double, little-endian, in hex}, so NaN, -0 and infinities survive.
import json
import struct
import sys

from gguf import GGUFReader


def enc(v):
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, float):
        return {"double": struct.pack("<d", v).hex()}
    return v


r = GGUFReader(sys.argv[1])
fields = {}
for key, field in r.fields.items():
    if key.startswith("GGUF."):
        continue
    fields[key] = {"types": [t.name for t in field.types], "value": enc(field.contents())}
tensors = [
    {
        "name": t.name,
        "type": int(t.tensor_type),
        "shape": [int(d) for d in t.shape],
        "data_offset": int(t.data_offset),
        "n_bytes": int(t.n_bytes),
        "hex": t.data.tobytes().hex(),
    }
    for t in r.tensors
]
version = int(r.fields["GGUF.version"].parts[0][0])
print(json.dumps({"version": version, "alignment": int(r.alignment), "data_offset": int(r.data_offset),
                  "fields": fields, "tensors": tensors}))
