// Bounds-checked cursor over the header of a GGUF file; every read names its offset when it fails.
using System.Buffers.Binary;
using System.Text;

namespace Weft.Formats.Gguf;

internal sealed unsafe class GgufReader
{
    /// <summary>Deepest array nesting accepted; real files use at most two levels.</summary>
    public const int MaxArrayDepth = 8;

    private readonly byte* _base;
    private readonly long _length;
    private readonly string _file;
    public long Position;

    public GgufReader(byte* basePtr, long length, string file)
    {
        _base = basePtr;
        _length = length;
        _file = file;
        Position = 0;
    }

    public long Remaining => _length - Position;

    public ModelFormatException Error(string what, long? at = null) =>
        new($"{_file}: {what} (at byte offset {at ?? Position})");

    private void Need(long bytes, string what)
    {
        if (bytes < 0 || bytes > Remaining)
            throw Error($"file ends inside {what}: {bytes} bytes needed, {Remaining} left (file is {_length} bytes; truncated?)");
    }

    public byte U8(string what) { Need(1, what); return _base[Position++]; }

    public ushort U16(string what) { Need(2, what); var v = BinaryPrimitives.ReadUInt16LittleEndian(Span(2)); Position += 2; return v; }

    public uint U32(string what) { Need(4, what); var v = BinaryPrimitives.ReadUInt32LittleEndian(Span(4)); Position += 4; return v; }

    public ulong U64(string what) { Need(8, what); var v = BinaryPrimitives.ReadUInt64LittleEndian(Span(8)); Position += 8; return v; }

    public float F32(string what) { Need(4, what); var v = BinaryPrimitives.ReadSingleLittleEndian(Span(4)); Position += 4; return v; }

    public double F64(string what) { Need(8, what); var v = BinaryPrimitives.ReadDoubleLittleEndian(Span(8)); Position += 8; return v; }

    private ReadOnlySpan<byte> Span(int n) => new(_base + Position, n);

    /// <summary>Decodes UTF-8 and refuses malformed sequences instead of replacing them.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A length-prefixed UTF-8 string; the length may not exceed what is left of the file.</summary>
    public string String(string what)
    {
        long at = Position;
        ulong len = U64($"the length of {what}");
        if (len > (ulong)Remaining)
            throw Error($"{what} claims a length of {len} bytes but only {Remaining} bytes are left", at);
        if (len > int.MaxValue) throw Error($"{what} claims a length of {len} bytes", at);
        string s;
        try
        {
            s = StrictUtf8.GetString(Span((int)len));
        }
        catch (DecoderFallbackException)
        {
            throw Error($"{what} is not valid UTF-8", at);
        }
        Position += (long)len;
        return s;
    }

    /// <summary>A metadata key: at most 65535 bytes of printable ASCII, no spaces (the spec's hierarchical keys).</summary>
    public string Key(long index)
    {
        long at = Position;
        string key = String($"the name of metadata key {index}");
        string? problem = GgufNames.KeyProblem(key);
        if (problem != null) throw Error($"metadata key {index} {problem}", at);
        return key;
    }

    /// <summary>A tensor name: 1 to 64 bytes of UTF-8.</summary>
    public string TensorName(long index)
    {
        long at = Position;
        string name = String($"the name of tensor {index}");
        string? problem = GgufNames.TensorNameProblem(name);
        if (problem != null) throw Error($"tensor {index} {problem}", at);
        return name;
    }

    /// <summary>Reads a count of elements that each take at least <paramref name="minElementBytes"/> bytes:
    /// a count the rest of the file cannot hold is refused before anything is allocated.</summary>
    public long Count(string what, long minElementBytes)
    {
        long at = Position;
        ulong n = U64(what);
        if (n > (ulong)Math.Max(0, Remaining / Math.Max(1, minElementBytes)) || n > int.MaxValue)
            throw Error($"{what} is {n}, more than the {Remaining} bytes left in the file can hold", at);
        return (long)n;
    }

    public GgufValue Value(GgufValueType type, string key, int depth) => new(type, ReadValueObject(type, key, depth));

    private object ReadValueObject(GgufValueType type, string key, int depth) => type switch
    {
        GgufValueType.UInt8 => U8(key),
        GgufValueType.Int8 => (sbyte)U8(key),
        GgufValueType.UInt16 => U16(key),
        GgufValueType.Int16 => (short)U16(key),
        GgufValueType.UInt32 => U32(key),
        GgufValueType.Int32 => (int)U32(key),
        GgufValueType.Float32 => F32(key),
        GgufValueType.Bool => ReadBool(key),
        GgufValueType.String => String($"the string value of '{key}'"),
        GgufValueType.UInt64 => U64(key),
        GgufValueType.Int64 => (long)U64(key),
        GgufValueType.Float64 => F64(key),
        GgufValueType.Array => ReadArray(key, depth),
        _ => throw Error($"metadata key '{key}' has unknown value type {(uint)type}", Position - 4),
    };

    private bool ReadBool(string key)
    {
        long at = Position;
        byte b = U8(key);
        if (b > 1) throw Error($"metadata key '{key}' holds bool byte {b}, expected 0 or 1", at);
        return b == 1;
    }

    private static int MinBytes(GgufValueType t) => t switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => 1,
    };

    private GgufArray ReadArray(string key, int depth)
    {
        if (depth >= MaxArrayDepth) throw Error($"metadata key '{key}' nests arrays deeper than {MaxArrayDepth} levels");
        long at = Position;
        var elementType = (GgufValueType)U32($"the element type of '{key}'");
        if (!Enum.IsDefined(elementType)) throw Error($"metadata key '{key}' is an array of unknown value type {(uint)elementType}", at);
        int n = (int)Count($"the element count of array '{key}'", MinBytes(elementType));
        Array items = elementType switch
        {
            GgufValueType.UInt8 => Fill(new byte[n], i => U8(key)),
            GgufValueType.Int8 => Fill(new sbyte[n], i => (sbyte)U8(key)),
            GgufValueType.UInt16 => Fill(new ushort[n], i => U16(key)),
            GgufValueType.Int16 => Fill(new short[n], i => (short)U16(key)),
            GgufValueType.UInt32 => Fill(new uint[n], i => U32(key)),
            GgufValueType.Int32 => Fill(new int[n], i => (int)U32(key)),
            GgufValueType.Float32 => Fill(new float[n], i => F32(key)),
            GgufValueType.Bool => Fill(new bool[n], i => ReadBool(key)),
            GgufValueType.String => Fill(new string[n], i => String($"string {i} of array '{key}'")),
            GgufValueType.UInt64 => Fill(new ulong[n], i => U64(key)),
            GgufValueType.Int64 => Fill(new long[n], i => (long)U64(key)),
            GgufValueType.Float64 => Fill(new double[n], i => F64(key)),
            _ => Fill(new GgufArray[n], i => ReadArray(key, depth + 1)),
        };
        return new GgufArray(elementType, items);
    }

    private delegate T ItemReader<T>(int index);

    private static T[] Fill<T>(T[] items, ItemReader<T> read)
    {
        for (int i = 0; i < items.Length; i++) items[i] = read(i);
        return items;
    }
}
