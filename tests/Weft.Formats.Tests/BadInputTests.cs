// Each way a file can lie gets a ModelFormatException whose message names the problem, the file and the byte offset.
using Weft.Formats.Gguf;
using Weft.Tensors;
using T = Weft.Formats.Gguf.GgufValueType;

namespace Weft.Formats.Tests;

public sealed class BadInputTests
{
    private const uint F32 = (uint)GgmlType.F32;

    private sealed record Case(byte[] Bytes, string Expected, long? Offset = null);

    /// <summary>A file whose header claims one metadata key and no tensors; <paramref name="build"/> writes that key.</summary>
    private static Case Make(Func<RawGguf, RawGguf> build, string expected) => new(build(new RawGguf(kvs: 1)).ToArray(), expected);

    /// <summary>A file of one tensor described by the arguments, followed by <paramref name="dataBytes"/> bytes of data.</summary>
    private static byte[] OneTensor(ulong[] dims, uint type = F32, ulong offset = 0, long dataBytes = 64, string name = "t") =>
        new RawGguf(tensors: 1).Tensor(name, dims, type, offset).PadTo(32).Zeros(dataBytes).ToArray();

    private static readonly Dictionary<string, Func<Case>> Cases = new()
    {
        ["empty file"] = () => new([], "the file is empty", 0),
        ["shorter than the magic"] = () => new("GG"u8.ToArray(), "not a GGUF file", 0),
        ["wrong magic"] = () => new(new RawGguf(magic: 0x4C4D4747).ToArray(), "the first four bytes are not 'GGUF'", 0),
        ["version 1"] = () => new(new RawGguf(version: 1).ToArray(), "GGUF version 1 is not supported", 4),
        ["version 4"] = () => new(new RawGguf(version: 4).ToArray(), "GGUF version 4 is not supported", 4),
        ["version 0"] = () => new(new RawGguf(version: 0).ToArray(), "GGUF version 0 is not supported", 4),
        ["big-endian file"] = () => new(new RawGguf(version: 0x03000000).ToArray(), "big-endian", 4),
        ["truncated header"] = () => new(new RawGguf().ToArray()[..12], "file ends inside the tensor count", 8),
        ["huge tensor count"] = () => new(new RawGguf(tensors: 1UL << 63).ToArray(), "the tensor count is 9223372036854775808", 8),
        ["huge key-value count"] = () => new(new RawGguf(kvs: ulong.MaxValue).ToArray(), "the metadata key-value count is 18446744073709551615", 16),
        ["tensor data past the end"] = () => new(OneTensor([16], dataBytes: 60), "tensor 't' data (64 bytes at data offset 0) runs past the end of the file"),
        ["tensor offset past the end"] = () => new(OneTensor([16], offset: 1UL << 40), "runs past the end of the file"),
        ["tensor offset beyond a long"] = () => new(OneTensor([16], offset: ulong.MaxValue), "impossible data offset 18446744073709551615"),
        ["data section past the end"] = () => new(new RawGguf(tensors: 1).Tensor("t", [1], F32, 0).ToArray(), "the data section would start at byte 64, past the end of the 57-byte file"),
        ["overlapping tensors"] = () => new(new RawGguf(tensors: 2).Tensor("a", [16], F32, 0).Tensor("b", [16], F32, 32).PadTo(32).Zeros(96).ToArray(),
            "tensors 'a' and 'b' overlap"),
        ["unknown tensor type id"] = () => new(OneTensor([16], type: 1000), "tensor 't' has unknown type id 1000", 24 + 9 + 4 + 8),
        ["removed tensor type id"] = () => new(OneTensor([16], type: 4), "tensor 't' has unknown type id 4"),
        ["5 dimensions"] = () => new(OneTensor([1, 1, 1, 1, 16]), "tensor 't' claims 5 dimensions (1 to 4 allowed)", 24),
        ["0 dimensions"] = () => new(OneTensor([]), "tensor 't' claims 0 dimensions"),
        ["a zero dimension"] = () => new(OneTensor([16, 0]), "impossible dimension 1 of 0"),
        ["dimension beyond a long"] = () => new(OneTensor([1UL << 63]), "impossible dimension 0 of 9223372036854775808"),
        ["dimension product overflow"] = () => new(OneTensor([1UL << 32, 1UL << 31, 4]), "the product of its dimensions overflows at dimension 1"),
        ["byte size overflow"] = () => new(OneTensor([1UL << 62]), "would take more than 9223372036854775807 bytes"),
        ["row not a whole number of blocks"] = () => new(OneTensor([33], type: (uint)GgmlType.Q8_0), "rows of 33 elements, not a multiple of the block size 32"),
        ["absurd array length"] = () => Make(b => b.Kv("a.b", T.Array).U32((uint)T.UInt8).U64(1UL << 40).Zeros(16),
            "the element count of array 'a.b' is 1099511627776, more than the 16 bytes left"),
        ["absurd string array length"] = () => Make(b => b.Kv("a.b", T.Array).U32((uint)T.String).U64(ulong.MaxValue / 2),
            "the element count of array 'a.b' is 9223372036854775807"),
        ["string length past the end"] = () => Make(b => b.Kv("a.b", T.String).U64(1000).Zeros(10),
            "the string value of 'a.b' claims a length of 1000 bytes but only 10 bytes are left"),
        ["key length past the end"] = () => Make(b => b.U64(ulong.MaxValue).Zeros(40),
            "the name of metadata key 0 claims a length of 18446744073709551615 bytes"),
        ["duplicate key"] = () => new(new RawGguf(kvs: 2).Kv("a.b", T.UInt8).U8(1).Kv("a.b", T.UInt8).U8(2).ToArray(), "metadata key 'a.b' appears twice", 24 + 8 + 3 + 4 + 1),
        ["duplicate tensor"] = () => new(new RawGguf(tensors: 2).Tensor("t", [16], F32, 0).Tensor("t", [16], F32, 64).PadTo(32).Zeros(128).ToArray(),
            "tensor 't' appears twice in the tensor table", 24 + 9 + 4 + 8 + 4 + 8),
        ["misaligned tensor offset"] = () => new(new RawGguf(tensors: 1).Tensor("t", [4], F32, 4).PadTo(32).Zeros(64).ToArray(),
            "tensor 't' data offset 4 is not a multiple of the alignment 32"),
        ["misaligned for a custom alignment"] = () => new(new RawGguf(tensors: 1, kvs: 1).Kv("general.alignment", T.UInt32).U32(64)
            .Tensor("t", [4], F32, 32).PadTo(64).Zeros(128).ToArray(), "data offset 32 is not a multiple of the alignment 64"),
        ["alignment not a power of two"] = () => Make(b => b.Kv("general.alignment", T.UInt32).U32(48), "general.alignment must be a power of two, found 48"),
        ["alignment zero"] = () => Make(b => b.Kv("general.alignment", T.UInt32).U32(0), "general.alignment must be a power of two, found 0"),
        ["alignment as Int32"] = () => Make(b => b.Kv("general.alignment", T.Int32).U32(64), "general.alignment must be a UInt32, found a Int32 (64)"),
        ["alignment as UInt64"] = () => Make(b => b.Kv("general.alignment", T.UInt64).U64(32), "general.alignment must be a UInt32, found a UInt64 (32)"),
        ["alignment as string"] = () => Make(b => b.Kv("general.alignment", T.String).Str("32"), "general.alignment must be a UInt32"),
        ["unknown value type"] = () => Make(b => b.Kv("a.b", (T)13).U32(0), "metadata key 'a.b' has unknown value type 13"),
        ["unknown array element type"] = () => Make(b => b.Kv("a.b", T.Array).U32(99).U64(0), "metadata key 'a.b' is an array of unknown value type 99"),
        ["bool that is neither 0 nor 1"] = () => Make(b => b.Kv("a.b", T.Bool).U8(2), "metadata key 'a.b' holds bool byte 2, expected 0 or 1"),
        ["arrays nested too deep"] = () => Make(b =>
        {
            b.Kv("a.b", T.Array);
            for (int i = 0; i < 9; i++) b.U32((uint)T.Array).U64(1);
            return b.U32((uint)T.UInt8).U64(0);
        }, "metadata key 'a.b' nests arrays deeper than 8 levels"),
        ["key that is not UTF-8"] = () => Make(b => b.Str([0x61, 0xFF, 0xFE]).U32((uint)T.UInt8).U8(0), "the name of metadata key 0 is not valid UTF-8"),
        ["string value that is not UTF-8"] = () => Make(b => b.Kv("a.b", T.String).Str([0xC3]), "the string value of 'a.b' is not valid UTF-8"),
        ["key with a space"] = () => Make(b => b.Kv("a b", T.UInt8).U8(0), "metadata key 0 'a b' contains the character U+0020; keys are printable ASCII"),
        ["key with a control character"] = () => Make(b => b.Kv("a\nb", T.UInt8).U8(0), "contains the character U+000A"),
        ["non-ASCII key"] = () => Make(b => b.Kv("ключ", T.UInt8).U8(0), "keys are printable ASCII"),
        ["empty key"] = () => Make(b => b.Kv("", T.UInt8).U8(0), "metadata key 0 has an empty name"),
        ["empty tensor name"] = () => new(OneTensor([16], name: ""), "tensor 0 has an empty name"),
        ["tensor name too long"] = () => new(OneTensor([16], name: new string('n', 65)), "has a name of 65 bytes (at most 64 allowed)"),
        ["truncated inside the tensor table"] = () => new(OneTensor([16])[..40], "file ends inside dimension 0 of tensor 't'"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BadFileIsRefusedWithAMessageNamingTheProblem(string name)
    {
        var c = Cases[name]();
        using var dir = new TempDir();
        string path = dir.File(name.Replace(' ', '-') + ".gguf");
        File.WriteAllBytes(path, c.Bytes);
        var e = Assert.Throws<ModelFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.True(e.Message.Contains(c.Expected, StringComparison.Ordinal), e.Message);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(c.Offset is long at ? $"(at byte offset {at})" : "(at byte offset ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFilesAndFoldersAreFormatErrors()
    {
        using var dir = new TempDir();
        Assert.Contains("no such file", Assert.Throws<ModelFormatException>(() => GgufFile.Open(dir.File("nope.gguf"))).Message);
        Assert.Contains("is a directory", Assert.Throws<ModelFormatException>(() => GgufFile.Open(dir.Path)).Message);
    }

    [Fact]
    public unsafe void TensorViewsStayInsideTheMapping()
    {
        using var dir = new TempDir();
        string path = dir.File("ok.gguf");
        File.WriteAllBytes(path, OneTensor([16]));
        var f = GgufFile.Open(path);
        var t = f.Tensors[0];
        Assert.Equal(64, f.TensorBytes(t).Length);
        Assert.Throws<ArgumentException>(() => f.TensorBytes(t with { ByteSize = 65 }));
        Assert.Throws<ArgumentException>(() => f.TensorBytes(t with { Offset = 32 }));
        Assert.Throws<ArgumentException>(() => f.TensorBytes(t with { Offset = -32 }));
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.TensorBytes(t));
        f.Dispose();
    }
}
