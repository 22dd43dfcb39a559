// Writes GGUF bytes field by field, with no checks, so tests can state exactly which lie a file tells.
using System.Text;
using Weft.Formats.Gguf;

namespace Weft.Formats.Tests;

internal sealed class RawGguf
{
    private readonly MemoryStream _ms = new();
    private readonly BinaryWriter _w;

    public RawGguf(ulong tensors = 0, ulong kvs = 0, uint version = 3, uint magic = GgufFile.Magic)
    {
        _w = new BinaryWriter(_ms, Encoding.UTF8, leaveOpen: true);
        U32(magic).U32(version).U64(tensors).U64(kvs);
    }

    /// <summary>Bytes written so far: the offset of whatever comes next.</summary>
    public long Length => _ms.Length;

    public RawGguf U8(byte v) { _w.Write(v); return this; }
    public RawGguf U32(uint v) { _w.Write(v); return this; }
    public RawGguf U64(ulong v) { _w.Write(v); return this; }
    public RawGguf Bytes(byte[] v) { _w.Write(v); return this; }
    public RawGguf Zeros(long n) { _w.Write(new byte[n]); return this; }

    public RawGguf Str(string s) => Str(Encoding.UTF8.GetBytes(s));
    public RawGguf Str(byte[] utf8) => U64((ulong)utf8.Length).Bytes(utf8);

    /// <summary>A key and its value type; the value follows.</summary>
    public RawGguf Kv(string key, GgufValueType type) => Str(key).U32((uint)type);

    public RawGguf Tensor(string name, ulong[] dims, uint type, ulong offset)
    {
        Str(name).U32((uint)dims.Length);
        foreach (ulong d in dims) U64(d);
        return U32(type).U64(offset);
    }

    public RawGguf PadTo(long alignment) => Zeros((alignment - Length % alignment) % alignment);

    public byte[] ToArray() => _ms.ToArray();
}
