// The safetensors reader and writer: round trips, sharded checkpoints, and every header claim checked on bad input.
using System.Buffers.Binary;
using System.Text;
using Weft.Formats.Safetensors;

namespace Weft.Formats.Tests;

public class SafetensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "weft-st-" + Guid.NewGuid().ToString("N")[..8]);

    public SafetensorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A raw file: the header length, the header text and <paramref name="dataBytes"/> zero bytes.</summary>
    private string Raw(string header, int dataBytes, long? claimedLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(claimedLength ?? h.Length));
        h.CopyTo(bytes, 8);
        string path = PathOf("raw-" + Guid.NewGuid().ToString("N")[..6] + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public unsafe void RoundTripKeepsNamesShapesDtypesAndBytes()
    {
        var values = Enumerable.Range(0, 6).Select(i => i * 0.5f - 1f).ToArray();
        var half = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        string path = PathOf("rt.safetensors");
        new SafetensorsWriter()
            .SetMetadata("format", "pt")
            .AddF32("a.weight", [2, 3], values)
            .Add("b.bias", SafetensorsDtype.BF16, [4], half)
            .Add("c", SafetensorsDtype.F16, [2, 2], half)
            .Write(path);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(0, f.DataOffset % 8);
        Assert.Equal(["a.weight", "b.bias", "c"], f.Tensors.Select(t => t.Name));
        var a = f.Find("a.weight")!;
        Assert.Equal([2L, 3L], a.Shape);
        Assert.Equal(SafetensorsDtype.F32, a.Dtype);
        var read = new float[6];
        for (int i = 0; i < 6; i++) read[i] = BinaryPrimitives.ReadSingleLittleEndian(f.TensorBytes(a)[(i * 4)..]);
        Assert.Equal(values, read);
        Assert.Equal(half, f.TensorBytes(f.Find("b.bias")!).ToArray());
        Assert.Equal(SafetensorsDtype.F16, f.Find("c")!.Dtype);
    }

    [Fact]
    public void ShardedCheckpointResolvesEveryTensorToItsShard()
    {
        string folder = PathOf("sharded");
        Directory.CreateDirectory(folder);
        new SafetensorsWriter().AddF32("x", [2], [1f, 2f]).Write(Path.Combine(folder, "model-00001-of-00002.safetensors"));
        new SafetensorsWriter().AddF32("y", [1], [3f]).Write(Path.Combine(folder, "model-00002-of-00002.safetensors"));
        File.WriteAllText(Path.Combine(folder, SafetensorsCheckpoint.IndexName), SafetensorsWriter.IndexJson(
            new Dictionary<string, string> { ["x"] = "model-00001-of-00002.safetensors", ["y"] = "model-00002-of-00002.safetensors" }, 12));
        using var c = SafetensorsCheckpoint.Open(folder);
        Assert.Equal(2, c.Files.Count);
        Assert.EndsWith("00002.safetensors", c.Find("y")!.Value.File.Path);
        Assert.Null(c.Find("z"));
    }

    [Fact]
    public void MissingShardIsNamed()
    {
        string folder = PathOf("missing");
        Directory.CreateDirectory(folder);
        new SafetensorsWriter().AddF32("x", [2], [1f, 2f]).Write(Path.Combine(folder, "a.safetensors"));
        File.WriteAllText(Path.Combine(folder, SafetensorsCheckpoint.IndexName), SafetensorsWriter.IndexJson(
            new Dictionary<string, string> { ["x"] = "a.safetensors", ["y"] = "b.safetensors" }, 12));
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsCheckpoint.Open(folder));
        Assert.Contains("'y'", e.Message);
        Assert.Contains("b.safetensors", e.Message);
    }

    [Fact]
    public void ShardNamesCannotLeaveTheFolder()
    {
        string folder = PathOf("escape");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, SafetensorsCheckpoint.IndexName), SafetensorsWriter.IndexJson(
            new Dictionary<string, string> { ["x"] = "../rt.safetensors" }, 0));
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsCheckpoint.Open(folder));
        Assert.Contains("weight_map.x", e.Message);
    }

    public static TheoryData<string, string, int, string> BadHeaders() => new()
    {
        { "truncated header", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "truncated" },
        { "offsets past the end", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "past the end" },
        { "dtype and shape disagree with the offsets", """{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,8]}}""", 8, "need 6" },
        { "overlapping tensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlap" },
        { "unknown dtype", """{"a":{"dtype":"F8_X","shape":[1],"data_offsets":[0,1]}}""", 1, "unknown dtype 'F8_X'" },
        { "reversed offsets", """{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 4, "not a range" },
        { "negative dimension", """{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}""", 0, "dimension 0" },
        { "not JSON", """{"a":""", 0, "not valid JSON" },
        { "not an object", """[1,2]""", 0, "not a JSON object" },
        { "missing data_offsets", """{"a":{"dtype":"U8","shape":[1]}}""", 1, "'data_offsets'" },
        { "duplicate metadata value type", """{"__metadata__":{"k":1}}""", 0, "'__metadata__.k'" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void BadHeadersNameTheFileAndTheProblem(string why, string header, int data, string expected)
    {
        long? claimed = why == "truncated header" ? header.Length + 100 : null;
        string path = Raw(header, data, claimed);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FilesShorterThanTheHeaderLengthAreRefused()
    {
        string path = PathOf("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void TruncatingAWrittenFileIsDetected()
    {
        string path = PathOf("t.safetensors");
        new SafetensorsWriter().AddF32("w", [4], [1f, 2f, 3f, 4f]).Write(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^2]);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("'w'", e.Message);
    }
}
