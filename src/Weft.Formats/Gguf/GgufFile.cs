// A GGUF model file (versions 2 and 3), memory-mapped and read in place; every claim the file makes is checked.
using Weft.Tensors;

namespace Weft.Formats.Gguf;

public sealed unsafe class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const uint DefaultAlignment = 32;
    /// <summary>ggml tensors have at most four dimensions.</summary>
    public const int MaxDims = 4;
    public const string AlignmentKey = "general.alignment";

    /// <summary>Why <paramref name="value"/> cannot be general.alignment (the spec asks for a uint32 power of two),
    /// or null when it can.</summary>
    public static string? AlignmentProblem(GgufValue value)
    {
        if (value.Type != GgufValueType.UInt32 || value.Value is not uint a)
            return $"{AlignmentKey} must be a UInt32, found {value.Describe()} ({value.Display()})";
        if (a == 0 || (a & (a - 1)) != 0)
            return $"{AlignmentKey} must be a power of two, found {a}";
        return null;
    }

    private readonly MappedFile _file;
    private byte* _base => _file.Base;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    public string Path { get; }
    public uint Version { get; }
    public long FileLength { get; }
    public long Alignment { get; }
    /// <summary>Byte offset of the data section from the start of the file.</summary>
    public long DataOffset { get; }
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }
    /// <summary>Metadata keys in file order.</summary>
    public IReadOnlyList<string> MetadataKeys { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    private GgufFile(string path, MappedFile file)
    {
        Path = path;
        _file = file;
        byte* basePtr = file.Base;
        long length = file.Length;
        FileLength = length;
        var r = new GgufReader(basePtr, length, path);

        if (length == 0) throw r.Error("not a GGUF file: the file is empty", 0);
        if (length < 4 || r.U32("the magic") != Magic)
            throw r.Error("not a GGUF file: the first four bytes are not 'GGUF'", 0);
        Version = r.U32("the version");
        if (Version is not (2 or 3))
        {
            string hint = Version == 1 ? " (GGUF version 1 is obsolete; convert the model again)"
                : (Version & 0xFFFF) == 0 && (Version >> 24) is 2 or 3 ? " (a big-endian file? only little-endian files are read)"
                : "";
            throw r.Error($"GGUF version {Version} is not supported (supported: 2, 3){hint}", 4);
        }
        long tensorCount = r.Count("the tensor count", 8 + 4 + 4 + 8);
        long kvCount = r.Count("the metadata key-value count", 8 + 4 + 1);

        var metadata = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
        var keys = new List<string>();
        long alignmentAt = -1;
        for (long i = 0; i < kvCount; i++)
        {
            long at = r.Position;
            string key = r.Key(i);
            if (metadata.ContainsKey(key)) throw r.Error($"metadata key '{key}' appears twice", at);
            var type = (GgufValueType)r.U32($"the value type of '{key}'");
            metadata[key] = r.Value(type, key, 0);
            keys.Add(key);
            if (key == AlignmentKey) alignmentAt = at;
        }
        Metadata = metadata;
        MetadataKeys = keys;

        Alignment = DefaultAlignment;
        if (metadata.TryGetValue(AlignmentKey, out var alignValue))
        {
            string? problem = AlignmentProblem(alignValue);
            if (problem != null) throw r.Error(problem, alignmentAt);
            Alignment = (uint)alignValue.Value;
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 1 << 16));
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            long at = r.Position;
            var t = ReadTensorInfo(r, i);
            if (!_tensorsByName.TryAdd(t.Name, t)) throw r.Error($"tensor '{t.Name}' appears twice in the tensor table", at);
            tensors.Add(t);
        }
        DataOffset = AlignUp(r.Position, Alignment);
        CheckDataPlacement(r, tensors);
        Tensors = tensors;
    }

    private static GgufTensorInfo ReadTensorInfo(GgufReader r, long index)
    {
        long at = r.Position;
        string name = r.TensorName(index);
        uint nDims = r.U32($"the dimension count of tensor '{name}'");
        if (nDims == 0 || nDims > MaxDims)
            throw r.Error($"tensor '{name}' claims {nDims} dimensions (1 to {MaxDims} allowed)", at);
        var shape = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++)
        {
            long dimAt = r.Position;
            ulong n = r.U64($"dimension {d} of tensor '{name}'");
            if (n == 0 || n > long.MaxValue)
                throw r.Error($"tensor '{name}' has an impossible dimension {d} of {n}", dimAt);
            if (elements > long.MaxValue / (long)n)
                throw r.Error($"tensor '{name}' has more than {long.MaxValue} elements: the product of its dimensions overflows at dimension {d} ({n})", dimAt);
            shape[d] = (long)n;
            elements *= (long)n;
        }
        long typeAt = r.Position;
        var type = (GgmlType)r.U32($"the type of tensor '{name}'");
        if (!TypeTraits.IsKnown(type)) throw r.Error($"tensor '{name}' has unknown type id {(uint)type}", typeAt);
        var traits = TypeTraits.Of(type);
        if (shape[0] % traits.BlockSize != 0)
            throw r.Error($"tensor '{name}' of type {traits.Name} has rows of {shape[0]} elements, not a multiple of the block size {traits.BlockSize}", at);
        long offsetAt = r.Position;
        ulong offset = r.U64($"the data offset of tensor '{name}'");
        if (offset > long.MaxValue) throw r.Error($"tensor '{name}' has an impossible data offset {offset}", offsetAt);
        long blocks = elements / traits.BlockSize;
        if (blocks > long.MaxValue / traits.BlockBytes)
            throw r.Error($"tensor '{name}' of shape [{string.Join(", ", shape)}] and type {traits.Name} would take more than {long.MaxValue} bytes", at);
        long bytes = blocks * traits.BlockBytes;
        return new GgufTensorInfo(name, type, shape, (long)offset, bytes);
    }

    private void CheckDataPlacement(GgufReader r, List<GgufTensorInfo> tensors)
    {
        long dataLength = FileLength - DataOffset;
        if (tensors.Count > 0 && dataLength < 0)
            throw r.Error($"the data section would start at byte {DataOffset}, past the end of the {FileLength}-byte file (truncated?)");
        foreach (var t in tensors)
        {
            if (t.Offset % Alignment != 0)
                throw r.Error($"tensor '{t.Name}' data offset {t.Offset} is not a multiple of the alignment {Alignment}", DataOffset + t.Offset);
            if (t.Offset > dataLength || t.ByteSize > dataLength - t.Offset)
                throw r.Error($"tensor '{t.Name}' data ({t.ByteSize} bytes at data offset {t.Offset}) runs past the end of the file, whose data section holds {dataLength} bytes (truncated?)", DataOffset + t.Offset);
        }
        var sorted = tensors.OrderBy(t => t.Offset).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            var prev = sorted[i - 1];
            if (sorted[i].Offset < prev.Offset + prev.ByteSize)
                throw r.Error($"tensors '{prev.Name}' and '{sorted[i].Name}' overlap in the data section", DataOffset + sorted[i].Offset);
        }
    }

    public static long AlignUp(long x, long alignment) => (x + alignment - 1) / alignment * alignment;

    /// <summary>Maps <paramref name="path"/> read-only and parses its header and tensor table.</summary>
    public static GgufFile Open(string path) =>
        MappedFile.OpenWith(path, "GGUF", file => new GgufFile(path, file));

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Address of a tensor's first byte inside the mapping; valid until this file is disposed.</summary>
    public byte* DataPointer(GgufTensorInfo t)
    {
        ObjectDisposedException.ThrowIf(_file.Disposed || _base == null, this);
        if (t.Offset < 0 || t.ByteSize < 0 || t.Offset > FileLength - DataOffset || t.ByteSize > FileLength - DataOffset - t.Offset)
            throw new ArgumentException($"tensor '{t.Name}' ({t.ByteSize} bytes at data offset {t.Offset}) does not lie inside {Path}", nameof(t));
        return _base + DataOffset + t.Offset;
    }

    /// <summary>The file offset of an address inside the mapping (as <see cref="DataPointer"/> hands out).</summary>
    public long FileOffsetOf(byte* p)
    {
        ObjectDisposedException.ThrowIf(_file.Disposed || _base == null, this);
        long offset = p - _base;
        return offset >= 0 && offset <= FileLength ? offset : throw new ArgumentOutOfRangeException(nameof(p), $"address outside the mapping of {Path}");
    }

    /// <summary>The bytes of a tensor of at most 2 GiB (larger ones are read row by row through <see cref="DataPointer"/>).</summary>
    public ReadOnlySpan<byte> TensorBytes(GgufTensorInfo t)
    {
        if (t.ByteSize > int.MaxValue) throw new InvalidOperationException($"tensor '{t.Name}' is larger than 2 GiB; read it row by row");
        return new ReadOnlySpan<byte>(DataPointer(t), (int)t.ByteSize);
    }

    public bool TryGet(string key, out GgufValue value) => Metadata.TryGetValue(key, out value!);

    public GgufValue Get(string key) => Metadata.TryGetValue(key, out var v)
        ? v : throw new ModelFormatException($"{Path}: required metadata key '{key}' is missing");

    public void Dispose() => _file.Dispose();
}
