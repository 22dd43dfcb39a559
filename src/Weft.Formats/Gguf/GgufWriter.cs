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

    /// <summary>Sets a metadata value (replacing an earlier one of the same key, in its place). The key, the value's
    /// CLR type and, for general.alignment, the value itself are checked here, so Write cannot fail on them.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        string? problem = GgufNames.KeyProblem(key);
        if (problem != null) throw new ArgumentException($"metadata key {problem}", nameof(key));
        problem = ValueProblem(value.Type, value.Value, 0);
        if (problem != null) throw new ArgumentException($"metadata key '{key}': {problem}", nameof(value));
        if (key == GgufFile.AlignmentKey)
        {
            problem = GgufFile.AlignmentProblem(value);
            if (problem != null) throw new ArgumentException(problem, nameof(value));
            Alignment = (uint)value.Value;
        }
        int i = _metadata.FindIndex(kv => kv.Key == key);
        if (i >= 0) _metadata[i] = new(key, value);
        else _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Why <paramref name="v"/> cannot be written as a value of type <paramref name="type"/>, or null.</summary>
    private static string? ValueProblem(GgufValueType type, object? v, int depth)
    {
        bool ok = type switch
        {
            GgufValueType.UInt8 => v is byte,
            GgufValueType.Int8 => v is sbyte,
            GgufValueType.UInt16 => v is ushort,
            GgufValueType.Int16 => v is short,
            GgufValueType.UInt32 => v is uint,
            GgufValueType.Int32 => v is int,
            GgufValueType.Float32 => v is float,
            GgufValueType.Bool => v is bool,
            GgufValueType.String => v is string,
            GgufValueType.UInt64 => v is ulong,
            GgufValueType.Int64 => v is long,
            GgufValueType.Float64 => v is double,
            GgufValueType.Array => v is GgufArray,
            _ => false,
        };
        if (!ok) return $"a {type} value cannot hold {(v == null ? "null" : "a " + v.GetType().Name)}";
        if (v is string s && !IsValidUnicode(s)) return "the string is not valid Unicode (an unpaired surrogate)";
        if (v is GgufArray a)
        {
            if (depth + 1 >= GgufReader.MaxArrayDepth) return $"arrays nest deeper than {GgufReader.MaxArrayDepth} levels";
            if (a.ElementType == GgufValueType.Array && a.Items is not GgufArray[])
                return "an array of arrays must hold a GgufArray[]";
            foreach (var item in a.Items)
            {
                string? p = ValueProblem(a.ElementType, item, depth + 1);
                if (p != null) return $"array of {a.ElementType}: {p}";
            }
        }
        return null;
    }

    private static bool IsValidUnicode(string s)
    {
        try
        {
            GgufReader.StrictUtf8.GetByteCount(s);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
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
        long bytes = CheckTensor(name, type, shape);
        _tensors.Add(new PendingTensor(name, type, (long[])shape.Clone(), bytes, writeData));
        _tensorNames.Add(name);
        return this;
    }

    public GgufWriter AddTensor(string name, GgmlType type, long[] shape, byte[] data)
    {
        long expected = CheckTensor(name, type, shape);
        if (data.Length != expected) throw new ArgumentException($"tensor '{name}': {data.Length} bytes given, {expected} expected");
        return AddTensor(name, type, shape, s => s.Write(data));
    }

    /// <summary>Checks a tensor as the reader will and returns its size in bytes; nothing is added on failure.</summary>
    public long CheckTensor(string name, GgmlType type, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        string? problem = GgufNames.TensorNameProblem(name);
        if (problem != null) throw new ArgumentException($"tensor {problem}", nameof(name));
        if (_tensorNames.Contains(name)) throw new ArgumentException($"tensor '{name}' added twice", nameof(name));
        if (shape.Length is 0 or > GgufFile.MaxDims)
            throw new ArgumentException($"tensor '{name}': {shape.Length} dimensions (1 to {GgufFile.MaxDims} allowed)", nameof(shape));
        if (!TypeTraits.IsKnown(type)) throw new ArgumentException($"tensor '{name}': unknown type id {(uint)type}", nameof(type));
        var traits = TypeTraits.Of(type);
        long elements = 1;
        foreach (long d in shape)
        {
            if (d <= 0 || elements > long.MaxValue / d)
                throw new ArgumentException($"tensor '{name}': impossible shape [{string.Join(", ", shape)}]", nameof(shape));
            elements *= d;
        }
        if (shape[0] % traits.BlockSize != 0)
            throw new ArgumentException($"tensor '{name}': rows of {shape[0]} elements are not a multiple of the {traits.Name} block size {traits.BlockSize}", nameof(shape));
        long blocks = elements / traits.BlockSize;
        if (blocks > long.MaxValue / traits.BlockBytes)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] is too large", nameof(shape));
        return blocks * traits.BlockBytes;
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
        long fileStart = s.Position;
        using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
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
        // Alignment is counted from the start of the file, which is where the stream stood when writing began.
        long headerEnd = s.Position - fileStart;
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
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        for (; n > 0; n -= Math.Min(n, zeros.Length)) s.Write(zeros[..(int)Math.Min(n, zeros.Length)]);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = GgufReader.StrictUtf8.GetBytes(s);
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
