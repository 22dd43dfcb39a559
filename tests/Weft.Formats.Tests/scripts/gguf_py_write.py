# Writes a GGUF file with llama.cpp's own Python writer (gguf-py): every metadata value type and a few tensors.
# Usage: gguf_py_write.py OUT.gguf ALIGNMENT   (ALIGNMENT 0 keeps the default and writes no general.alignment)
# Prints JSON describing the tensors written (ggml-order shape, type id, bytes as hex) so the test can compare.
import json
import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFValueType, GGUFWriter

out, alignment = sys.argv[1], int(sys.argv[2])
V = GGUFValueType

w = GGUFWriter(out, "testarch")
if alignment:
    w.add_custom_alignment(alignment)
w.add_uint8("test.u8", 200)
w.add_int8("test.i8", -100)
w.add_uint16("test.u16", 60000)
w.add_int16("test.i16", -30000)
w.add_uint32("test.u32", 4000000000)
w.add_int32("test.i32", -2000000000)
w.add_float32("test.f32", 0.15625)
w.add_bool("test.bool_true", True)
w.add_bool("test.bool_false", False)
w.add_string("test.string", "hello GGUF")
w.add_string("test.unicode", "héllo wörld ✓ 日本語 🦙")
w.add_key_value("test.empty_string", "", V.STRING)
w.add_uint64("test.u64", 18000000000000000000)
w.add_int64("test.i64", -9000000000000000000)
w.add_float64("test.f64", -2.718281828459045)
w.add_key_value("test.arr_u8", [0, 1, 255], V.ARRAY, sub_type=V.UINT8)
w.add_key_value("test.arr_i8", [-128, 0, 127], V.ARRAY, sub_type=V.INT8)
w.add_key_value("test.arr_u16", [0, 65535], V.ARRAY, sub_type=V.UINT16)
w.add_key_value("test.arr_i16", [-32768, 32767], V.ARRAY, sub_type=V.INT16)
w.add_key_value("test.arr_u32", [1, 4294967295], V.ARRAY, sub_type=V.UINT32)
w.add_key_value("test.arr_i32", [-1, 2, -3], V.ARRAY, sub_type=V.INT32)
w.add_key_value("test.arr_f32", [0.5, -1.25, 3.0], V.ARRAY, sub_type=V.FLOAT32)
w.add_key_value("test.arr_bool", [True, False, True], V.ARRAY, sub_type=V.BOOL)
w.add_key_value("test.arr_str", ["a", "", "ü✓"], V.ARRAY, sub_type=V.STRING)
w.add_key_value("test.arr_u64", [0, 18446744073709551615], V.ARRAY, sub_type=V.UINT64)
w.add_key_value("test.arr_i64", [-9223372036854775808, 9223372036854775807], V.ARRAY, sub_type=V.INT64)
w.add_key_value("test.arr_f64", [1e-300, -0.1], V.ARRAY, sub_type=V.FLOAT64)
w.add_key_value("test.arr_nested", [["x", "yy"], ["zzz"]], V.ARRAY, sub_type=V.ARRAY)

tensors = []


def add(name, array, raw_dtype=None):
    w.add_tensor(name, array, raw_dtype=raw_dtype)


f32 = np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1  # ggml shape [4, 3]
add("t.f32", f32)
f16 = (np.arange(64, dtype=np.float32) / 8).astype(np.float16).reshape(2, 32)  # ggml shape [32, 2]
add("t.f16", f16)
q8 = (np.arange(2 * 34, dtype=np.int64) * 7 % 256).astype(np.uint8).reshape(2, 34)  # Q8_0, ggml shape [32, 2]
add("t.q8_0", q8, raw_dtype=GGMLQuantizationType.Q8_0)
i32 = np.array([1, -2, 3, -4, 5], dtype=np.int32)  # ggml shape [5]
add("t.i32", i32)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()

expected = [
    {"name": "t.f32", "type": int(GGMLQuantizationType.F32), "shape": [4, 3], "hex": f32.tobytes().hex()},
    {"name": "t.f16", "type": int(GGMLQuantizationType.F16), "shape": [32, 2], "hex": f16.tobytes().hex()},
    {"name": "t.q8_0", "type": int(GGMLQuantizationType.Q8_0), "shape": [32, 2], "hex": q8.tobytes().hex()},
    {"name": "t.i32", "type": int(GGMLQuantizationType.I32), "shape": [5], "hex": i32.tobytes().hex()},
]
print(json.dumps({"tensors": expected}))
