// Writes GGUF version 3 files: metadata in insertion order, tensors aligned; written to a temporary name, then renamed.
using System.Buffers.Binary;
using System.Text;
using Weft.Tensors;

namespace Weft.Formats.Gguf;

public sealed class GgufWriter
{
    private sealed record PendingTensor(string Name, GgmlType Type, long[] Shape, long ByteSize, Action<Stream> WriteData);

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = new();
    private readonly List<PendingTensor> _tensors = new();
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public long Alignment { get; private set; } = GgufFile.DefaultAlignment;

    public GgufWriter Set(string key, GgufValue value)
    {
        int i = _metadata.FindIndex(kv => kv.Key == key);
        if (i >= 0) _metadata[i] = new(key, value);
        else _metadata.Add(new(key, value));
        if (key == "general.alignment") Alignment = value.AsInt64(key);
        return this;
    }

    public GgufWriter Set(string key, string v) => Set(key, GgufValue.Of(v));
    public GgufWriter Set(string key, uint v) => Set(key, GgufValue.Of(v));
    public GgufWriter Set(string key, int v) => Set(key, GgufValue.Of(v));
    public GgufWriter Set(string key, float v) => Set(key, GgufValue.Of(v));
    public GgufWriter Set(string key, bool v) => Set(key, GgufValue.Of(v));

    /// <summary>Copies every metadata key of <paramref name="source"/> (in its order).</summary>
    public GgufWriter CopyMetadata(GgufFile source, Func<string, bool>? include = null)
    {
        foreach (var key in source.MetadataKeys)
            if (include == null || include(key)) Set(key, source.Metadata[key]);
        return this;
    }

    /// <summary>Adds a tensor whose bytes are produced while the file is written (so large models stream).</summary>
    /// <param name="shape">ggml order: shape[0] is the row length.</param>
    public GgufWriter AddTensor(string name, GgmlType type, long[] shape, Action<Stream> writeData)
    {
        if (!_tensorNames.Add(name)) throw new ArgumentException($"tensor '{name}' added twice");
        if (shape.Length is 0 or > GgufFile.MaxDims) throw new ArgumentException($"tensor '{name}': {shape.Length} dimensions");
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        long bytes = TypeTraits.Of(type).RowBytes(shape[0]) * (elements / shape[0]);
        _tensors.Add(new PendingTensor(name, type, (long[])shape.Clone(), bytes, writeData));
        return this;
    }

    public GgufWriter AddTensor(string name, GgmlType type, long[] shape, byte[] data)
    {
        AddTensor(name, type, shape, s => s.Write(data));
        long expected = _tensors[^1].ByteSize;
        if (data.Length != expected) throw new ArgumentException($"tensor '{name}': {data.Length} bytes given, {expected} expected");
        return this;
    }

    public GgufWriter AddTensorF32(string name, long[] shape, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return AddTensor(name, GgmlType.F32, shape, bytes);
    }

    /// <summary>Writes the file; a half-written file never stands at <paramref name="path"/>.</summary>
    public void Write(string path)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(fs);
                fs.Flush(true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public void WriteTo(Stream s)
    {
        var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFile.Magic);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(w, key);
            w.Write((uint)value.Type);
            WriteValue(w, value.Type, value.Value);
        }
        long offset = 0;
        var offsets = new long[_tensors.Count];
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            foreach (long d in t.Shape) w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
            offsets[i] = offset;
            offset = GgufFile.AlignUp(offset + t.ByteSize, Alignment);
        }
        w.Flush();
        long headerEnd = s.Position;
        Pad(s, GgufFile.AlignUp(headerEnd, Alignment) - headerEnd);
        long dataStart = s.Position;
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            long before = s.Position;
            t.WriteData(s);
            long written = s.Position - before;
            if (written != t.ByteSize)
                throw new InvalidOperationException($"tensor '{t.Name}': {written} bytes written, {t.ByteSize} expected");
            long end = before + t.ByteSize - dataStart;
            Pad(s, GgufFile.AlignUp(end, Alignment) - end);
        }
    }

    private static void Pad(Stream s, long n)
    {
        for (long i = 0; i < n; i++) s.WriteByte(0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object v)
    {
        switch (type)
        {
            case GgufValueType.UInt8: w.Write((byte)v); break;
            case GgufValueType.Int8: w.Write((sbyte)v); break;
            case GgufValueType.UInt16: w.Write((ushort)v); break;
            case GgufValueType.Int16: w.Write((short)v); break;
            case GgufValueType.UInt32: w.Write((uint)v); break;
            case GgufValueType.Int32: w.Write((int)v); break;
            case GgufValueType.Float32: w.Write((float)v); break;
            case GgufValueType.Bool: w.Write((bool)v ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(w, (string)v); break;
            case GgufValueType.UInt64: w.Write((ulong)v); break;
            case GgufValueType.Int64: w.Write((long)v); break;
            case GgufValueType.Float64: w.Write((double)v); break;
            case GgufValueType.Array:
                var a = (GgufArray)v;
                w.Write((uint)a.ElementType);
                w.Write((ulong)a.Count);
                foreach (var item in a.Items) WriteValue(w, a.ElementType, item!);
                break;
            default: throw new ArgumentException($"unknown GGUF value type {type}");
        }
    }
}
