#!/usr/bin/env python3
# Renders src/Weft.Server/wwwroot/icon.svg's shapes (a rounded square, three faint weft lines under three warp lines)
# to docs/icon.png for the NuGet packages, which take PNG or JPEG only: python3 scripts/icon-png.py [SIZE]
import struct, sys, zlib

size = int(sys.argv[1]) if len(sys.argv) > 1 else 128
ss = 4                                     # samples per pixel side
scale = size / 32.0                        # the SVG's viewBox is 32 x 32
blue = (0x3B, 0x5B, 0xDB)
half = 1.25                                # half the stroke width

def in_rounded_rect(x, y, r=7.0):
    if not (0 <= x <= 32 and 0 <= y <= 32): return False
    cx = min(max(x, r), 32 - r); cy = min(max(y, r), 32 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def near_segment(x, y, x0, y0, x1, y1):
    # round caps: distance to the segment itself
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
    return (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= half * half

weft = [(6, y, 26, y) for y in (9, 16, 23)]
warp = [(x, 6, x, 26) for x in (10, 16, 22)]

rows = []
for py in range(size):
    row = bytearray([0])                   # filter type 0
    for px in range(size):
        acc = [0.0, 0.0, 0.0, 0.0]         # premultiplied r, g, b, a
        for sy in range(ss):
            for sx in range(ss):
                x = (px + (sx + 0.5) / ss) / scale
                y = (py + (sy + 0.5) / ss) / scale
                if not in_rounded_rect(x, y): continue
                c = [float(v) for v in blue]
                if any(near_segment(x, y, *s) for s in weft): c = [v + (255 - v) * 0.55 for v in c]
                if any(near_segment(x, y, *s) for s in warp): c = [255.0, 255.0, 255.0]
                acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 1
        n = ss * ss
        a = acc[3] / n
        rgb = [round(v / acc[3]) if acc[3] else 0 for v in acc[:3]]
        row += bytes(rgb + [round(a * 255)])
    rows.append(bytes(row))

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open("docs/icon.png", "wb").write(png)
print(f"docs/icon.png: {size} x {size}, {len(png)} bytes")
