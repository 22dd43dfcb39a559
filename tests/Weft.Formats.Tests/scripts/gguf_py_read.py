# Reads a GGUF file with llama.cpp's own Python reader (gguf-py) and prints what it found as JSON.
# Usage: gguf_py_read.py IN.gguf
# Arrays of arrays come out flattened (gguf-py flattens them); "types" lists the value type names, outermost first.
import json
import sys

from gguf import GGUFReader

r = GGUFReader(sys.argv[1])
fields = {}
for key, field in r.fields.items():
    if key.startswith("GGUF."):
        continue
    fields[key] = {"types": [t.name for t in field.types], "value": field.contents()}
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
