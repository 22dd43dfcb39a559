// A safetensors file (https://github.com/huggingface/safetensors#format), memory-mapped and read in place:
// 8-byte little-endian header length, a JSON header (dtype, shape, data_offsets per tensor, optional __metadata__),
// then the data. Every claim the header makes is checked against the file before a byte of data is trusted.
using System.Buffers.Binary;
using System.Text.Json;

namespace Weft.Formats.Safetensors;

/// <summary>One tensor's entry: shape in safetensors order (row-major, last dimension contiguous) and its byte range
/// relative to the start of the data section.</summary>
public sealed record SafetensorsTensor(string Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    public long ByteSize => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

public sealed unsafe class SafetensorsFile : IDisposable
{
    /// <summary>Headers larger than this are refused (the reference implementation's own limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;
    public const string MetadataKey = "__metadata__";

    private readonly MappedFile _file;
    private byte* _base => _file.Base;
    private readonly Dictionary<string, SafetensorsTensor> _byName;

    public string Path { get; }
    public long FileLength { get; }
    /// <summary>Byte offset of the data section: 8 + the header length.</summary>
    public long DataOffset { get; }
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }
    /// <summary>The optional __metadata__ object (string to string).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, MappedFile file)
    {
        Path = path;
        _file = file;
        byte* basePtr = file.Base;
        long length = file.Length;
        FileLength = length;
        if (length < 8) throw Error($"the file is {length} bytes, too short for the 8-byte header length (truncated?)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(basePtr, 8));
        if (headerLength > (ulong)(length - 8))
            throw Error($"the header claims {headerLength} bytes, but only {length - 8} follow the header length (truncated?)");
        if (headerLength > MaxHeaderBytes)
            throw Error($"the header claims {headerLength} bytes, more than the {MaxHeaderBytes} allowed");
        if (headerLength < 2) throw Error($"the header is {headerLength} bytes, too short for a JSON object");
        DataOffset = 8 + (long)headerLength;
        var header = new ReadOnlySpan<byte>(basePtr + 8, (int)headerLength);

        var tensors = new List<SafetensorsTensor>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        _byName = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Error("the header is not a JSON object");
            long bad = JsonStrings.FirstInvalid(header, new JsonReaderOptions { MaxDepth = 8 });
            if (bad >= 0) throw Error($"the header holds a string that is not valid UTF-8 text, at header byte {bad}");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == MetadataKey)
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Error($"'{MetadataKey}' is not an object");
                    foreach (var m in entry.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw Error($"'{MetadataKey}.{m.Name}' is not a string");
                    continue;
                }
                var t = ReadEntry(entry);
                if (!_byName.TryAdd(t.Name, t)) throw Error($"tensor '{t.Name}' appears twice in the header");
                tensors.Add(t);
            }
        }
        catch (JsonException e)
        {
            throw Error($"the header is not valid JSON: {e.Message}");
        }
        CheckPlacement(tensors);
        Tensors = tensors;
        Metadata = metadata;
    }

    private SafetensorsTensor ReadEntry(JsonProperty entry)
    {
        string name = entry.Name;
        var v = entry.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Error($"tensor '{name}': the entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Error($"tensor '{name}': 'dtype' is missing or not a string");
        var dtype = SafetensorsDtypes.Parse(dt.GetString()!)
            ?? throw Error($"tensor '{name}': unknown dtype '{dt.GetString()}' (known: {string.Join(", ", SafetensorsDtypes.Names)})");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Error($"tensor '{name}': 'shape' is missing or not an array");
        var shape = new long[sh.GetArrayLength()];
        long elements = 1;
        int d = 0;
        foreach (var x in sh.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out long n) || n < 0)
                throw Error($"tensor '{name}': dimension {d} of 'shape' is not a non-negative integer");
            if (n > 0 && elements > long.MaxValue / n) throw Error($"tensor '{name}': the element count overflows at dimension {d}");
            shape[d++] = n;
            elements *= n;
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Error($"tensor '{name}': 'data_offsets' is missing or not a pair [begin, end]");
        long begin = Offset(off[0]), end = Offset(off[1]);
        if (begin < 0 || end < begin) throw Error($"tensor '{name}': data_offsets [{off[0]}, {off[1]}] is not a range");
        int size = SafetensorsDtypes.Size(dtype);
        if (elements > long.MaxValue / size || end - begin != elements * size)
            throw Error($"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes, but dtype {dtype} and shape [{string.Join(", ", shape)}] need {(elements > long.MaxValue / size ? "more than 2^63" : (elements * size).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        return new SafetensorsTensor(name, dtype, shape, begin, end);
    }

    private static long Offset(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : -1;

    private void CheckPlacement(List<SafetensorsTensor> tensors)
    {
        long dataLength = FileLength - DataOffset;
        foreach (var t in tensors)
            if (t.End > dataLength)
                throw Error($"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] run past the end of the data section, which holds {dataLength} bytes (truncated?)");
        var sorted = tensors.Where(t => t.ByteSize > 0).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw Error($"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap in the data section");
    }

    private ModelFormatException Error(string what) => new($"{Path}: {what}");

    /// <summary>Maps <paramref name="path"/> read-only and checks its header.</summary>
    public static SafetensorsFile Open(string path) =>
        MappedFile.OpenWith(path, "safetensors", file => new SafetensorsFile(path, file));

    public SafetensorsTensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Address of a tensor's first byte inside the mapping; valid until this file is disposed.</summary>
    public byte* DataPointer(SafetensorsTensor t)
    {
        ObjectDisposedException.ThrowIf(_file.Disposed, this);
        if (!_byName.TryGetValue(t.Name, out var own) || !ReferenceEquals(own, t))
            throw new ArgumentException($"tensor '{t.Name}' is not one of {Path}'s", nameof(t));
        return _base + DataOffset + t.Begin;
    }

    /// <summary>The bytes of a tensor of at most 2 GiB.</summary>
    public ReadOnlySpan<byte> TensorBytes(SafetensorsTensor t)
    {
        if (t.ByteSize > int.MaxValue) throw new InvalidOperationException($"tensor '{t.Name}' is larger than 2 GiB");
        return t.ByteSize == 0 ? default : new ReadOnlySpan<byte>(DataPointer(t), (int)t.ByteSize);
    }

    public void Dispose() => _file.Dispose();
}
