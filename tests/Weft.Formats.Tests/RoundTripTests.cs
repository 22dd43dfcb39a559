// Our writer, then our reader: every value, key order, tensor byte and alignment comes back as written.
using Weft.Formats.Gguf;
using Weft.Tensors;

namespace Weft.Formats.Tests;

public sealed class RoundTripTests
{
    internal static void AssertMatches(Sample sample, GgufFile f, long alignment)
    {
        Assert.Equal(sample.Metadata.Select(kv => kv.Key), f.MetadataKeys);
        foreach (var (key, value) in sample.Metadata) Values.AssertEqual(key, value, f.Get(key));

        Assert.Equal(alignment, f.Alignment);
        Assert.Equal(0, f.DataOffset % alignment);
        Assert.Equal(sample.Tensors.Select(t => t.Name), f.Tensors.Select(t => t.Name));
        foreach (var expected in sample.Tensors)
        {
            var t = f.FindTensor(expected.Name);
            Assert.NotNull(t);
            Assert.Equal(expected.Type, t.Type);
            Assert.Equal(expected.Shape, t.Shape);
            Assert.Equal(expected.Data.Length, t.ByteSize);
            Assert.Equal(0, t.Offset % alignment);
            Assert.Equal(0, (f.DataOffset + t.Offset) % alignment);
            Assert.True(f.TensorBytes(t).SequenceEqual(expected.Data), $"tensor '{t.Name}' bytes differ");
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(8u)]
    [InlineData(64u)]
    [InlineData(4096u)]
    public void EveryValueTypeAndTensorRoundTrips(uint alignment)
    {
        using var dir = new TempDir();
        var sample = Sample.WithTensors(alignment, seed: (int)alignment + 11);
        string path = dir.File("all.gguf");
        sample.ToWriter().Write(path);

        using var f = GgufFile.Open(path);
        Assert.Equal(3u, f.Version);
        AssertMatches(sample, f, alignment == 0 ? GgufFile.DefaultAlignment : alignment);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MetadataOnlyAndEmptyFilesRoundTrip()
    {
        using var dir = new TempDir();
        var metadataOnly = Sample.AllValueTypes();
        metadataOnly.ToWriter().Write(dir.File("meta.gguf"));
        using (var f = GgufFile.Open(dir.File("meta.gguf")))
        {
            AssertMatches(metadataOnly, f, GgufFile.DefaultAlignment);
            Assert.Empty(f.Tensors);
        }

        new GgufWriter().Write(dir.File("empty.gguf"));
        Assert.Equal(32, new FileInfo(dir.File("empty.gguf")).Length); // 24-byte header padded to the alignment, as llama.cpp writes it
        using var e = GgufFile.Open(dir.File("empty.gguf"));
        Assert.Empty(e.Metadata);
        Assert.Empty(e.Tensors);
    }

    [Fact]
    public void Version2FilesReadTheSame()
    {
        // v2 and v3 share one little-endian layout (v3 only added big-endian files), so a v3 file relabelled as v2 must read the same.
        using var dir = new TempDir();
        var sample = Sample.WithTensors(64);
        var bytes = sample.ToBytes();
        bytes[4] = 2;
        File.WriteAllBytes(dir.File("v2.gguf"), bytes);
        using var f = GgufFile.Open(dir.File("v2.gguf"));
        Assert.Equal(2u, f.Version);
        AssertMatches(sample, f, 64);
    }

    [Fact]
    public void CopyMetadataKeepsEveryValueAndTheOrder()
    {
        using var dir = new TempDir();
        var sample = Sample.WithTensors(128);
        sample.ToWriter().Write(dir.File("a.gguf"));
        using var a = GgufFile.Open(dir.File("a.gguf"));
        var w = new GgufWriter().CopyMetadata(a);
        Assert.Equal(128, w.Alignment);
        foreach (var t in a.Tensors) w.AddTensor(t.Name, t.Type, t.Shape, a.TensorBytes(t).ToArray());
        w.Write(dir.File("b.gguf"));
        Assert.Equal(File.ReadAllBytes(dir.File("a.gguf")), File.ReadAllBytes(dir.File("b.gguf")));

        var some = new GgufWriter().CopyMetadata(a, k => k.StartsWith("test.arr_", StringComparison.Ordinal));
        some.Write(dir.File("c.gguf"));
        using var c = GgufFile.Open(dir.File("c.gguf"));
        Assert.Equal(a.MetadataKeys.Where(k => k.StartsWith("test.arr_", StringComparison.Ordinal)), c.MetadataKeys);
    }

    [Fact]
    public void SetReplacesAValueInPlace()
    {
        using var dir = new TempDir();
        new GgufWriter().Set("a.one", 1).Set("a.two", "x").Set("a.one", 5u).Write(dir.File("r.gguf"));
        using var f = GgufFile.Open(dir.File("r.gguf"));
        Assert.Equal(["a.one", "a.two"], f.MetadataKeys);
        Assert.Equal(GgufValueType.UInt32, f.Get("a.one").Type);
        Assert.Equal(5, f.Get("a.one").AsInt64("a.one"));
    }

    [Fact]
    public void StreamedTensorDataIsWrittenAndAlignedLikeBytes()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 96).Select(i => i * 0.5f - 7).ToArray();
        new GgufWriter()
            .Set("general.alignment", 64u)
            .AddTensorF32("a", [96], values)
            .AddTensor("b", GgmlType.I8, [3], s => s.Write([1, 2, 3]))
            .AddTensorF32("c", [2, 3], [1, 2, 3, 4, 5, 6])
            .Write(dir.File("s.gguf"));
        using var f = GgufFile.Open(dir.File("s.gguf"));
        Assert.Equal([0L, 384L, 448L], f.Tensors.Select(t => t.Offset));
        Assert.Equal(values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f.TensorBytes(f.Tensors[0])).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, f.TensorBytes(f.FindTensor("b")!).ToArray());
        Assert.Null(f.FindTensor("missing"));
    }

    [Fact]
    public void WriterRefusesWhatTheReaderWouldRefuse()
    {
        var w = new GgufWriter();
        Assert.Throws<ArgumentException>(() => w.Set("general.alignment", 64)); // Int32, not UInt32
        Assert.Throws<ArgumentException>(() => w.Set("general.alignment", 48u));
        Assert.Throws<ArgumentException>(() => w.Set("general.alignment", 0u));
        Assert.Equal(GgufFile.DefaultAlignment, w.Alignment);
        Assert.Throws<ArgumentException>(() => w.Set("", 1));
        Assert.Throws<ArgumentException>(() => w.Set("has space", 1));
        Assert.Throws<ArgumentException>(() => w.Set("ключ", 1));
        Assert.Throws<ArgumentException>(() => w.Set("a.b", new GgufValue(GgufValueType.UInt8, 5)));
        Assert.Throws<ArgumentException>(() => w.Set("a.b", Sample.Arr(GgufValueType.UInt8, new int[] { 1 })));
        Assert.Throws<ArgumentException>(() => w.Set("a.b", GgufValue.Of("\ud800")));

        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [4], new byte[15]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("", GgmlType.F32, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor(new string('n', 65), GgmlType.F32, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [1, 1, 1, 1, 1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [0], []));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.Q8_0, [33], new byte[34]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", (GgmlType)4, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [1L << 40, 1L << 30], _ => { }));
        // None of the refused tensors was kept: the name is still free.
        w.AddTensor("t", GgmlType.F32, [1], new byte[4]);
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [1], new byte[4]));
    }

    [Fact]
    public void AFailedWriteLeavesNothingBehind()
    {
        using var dir = new TempDir();
        string path = dir.File("bad.gguf");
        var w = new GgufWriter().AddTensor("t", GgmlType.F32, [4], s => s.Write(new byte[12]));
        Assert.Throws<InvalidOperationException>(() => w.Write(path));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        // An existing file stays as it was when the replacement fails.
        new GgufWriter().Set("a.b", 1).Write(path);
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => w.Write(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void WriteToMidStreamAlignsFromTheStartOfTheFile()
    {
        using var ms = new MemoryStream();
        ms.Write(new byte[7]);
        var sample = Sample.WithTensors(64);
        sample.ToWriter().WriteTo(ms);
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("m.gguf"), ms.ToArray()[7..]);
        using var f = GgufFile.Open(dir.File("m.gguf"));
        AssertMatches(sample, f, 64);
    }

    [Fact]
    public void AccessorsConvertAndRefuseWithTheKeyInTheMessage()
    {
        using var dir = new TempDir();
        var sample = Sample.AllValueTypes();
        sample.ToWriter().Write(dir.File("v.gguf"));
        using var f = GgufFile.Open(dir.File("v.gguf"));
        Assert.Equal(200, f.Get("test.u8").AsInt64("test.u8"));
        Assert.Equal(-30000, f.Get("test.i16").AsDouble("test.i16"));
        Assert.True(f.Get("test.bool_true").AsBool("test.bool_true"));
        Assert.Equal(3, f.Get("test.arr_nested").AsArray("test.arr_nested").Count);
        Assert.True(f.TryGet("test.string", out var s) && s.AsString("test.string") == "hello GGUF");
        Assert.False(f.TryGet("nope", out _));
        Assert.Contains("'nope'", Assert.Throws<ModelFormatException>(() => f.Get("nope")).Message);
        Assert.Contains("'test.u64'", Assert.Throws<ModelFormatException>(() => f.Get("test.u64").AsInt64("test.u64")).Message);
        Assert.Contains("expected a string", Assert.Throws<ModelFormatException>(() => f.Get("test.u8").AsString("test.u8")).Message);
    }
}
