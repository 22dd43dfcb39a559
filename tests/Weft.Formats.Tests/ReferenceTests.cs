// Interoperability with llama.cpp's own gguf-py: we read what it writes, it reads what we write, and we read
// the vocabulary GGUF files shipped with llama.cpp. Needs the checkout made by ../shared/refharness/setup.sh.
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Weft.Formats.Gguf;
using Weft.Tensors;

namespace Weft.Formats.Tests;

public sealed class ReferenceTests
{
    /// <summary>What scripts/gguf_py_write.py writes, in its order.</summary>
    private static Sample GgufPyWrites(uint alignment)
    {
        var s = new Sample().Set("general.architecture", GgufValue.Of("testarch"));
        if (alignment != 0) s.Set("general.alignment", GgufValue.Of(alignment));
        return s.Set("test.u8", GgufValueType.UInt8, (byte)200)
            .Set("test.i8", GgufValueType.Int8, (sbyte)-100)
            .Set("test.u16", GgufValueType.UInt16, (ushort)60000)
            .Set("test.i16", GgufValueType.Int16, (short)-30000)
            .Set("test.u32", GgufValue.Of(4_000_000_000u))
            .Set("test.i32", GgufValue.Of(-2_000_000_000))
            .Set("test.f32", GgufValue.Of(0.15625f))
            .Set("test.bool_true", GgufValue.Of(true))
            .Set("test.bool_false", GgufValue.Of(false))
            .Set("test.string", GgufValue.Of("hello GGUF"))
            .Set("test.unicode", GgufValue.Of("héllo wörld ✓ 日本語 🦙"))
            .Set("test.empty_string", GgufValue.Of(""))
            .Set("test.u64", GgufValue.Of(18_000_000_000_000_000_000UL))
            .Set("test.i64", GgufValue.Of(-9_000_000_000_000_000_000L))
            .Set("test.f64", GgufValue.Of(-2.718281828459045))
            .Set("test.arr_u8", Sample.Arr(GgufValueType.UInt8, new byte[] { 0, 1, 255 }))
            .Set("test.arr_i8", Sample.Arr(GgufValueType.Int8, new sbyte[] { -128, 0, 127 }))
            .Set("test.arr_u16", Sample.Arr(GgufValueType.UInt16, new ushort[] { 0, 65535 }))
            .Set("test.arr_i16", Sample.Arr(GgufValueType.Int16, new short[] { -32768, 32767 }))
            .Set("test.arr_u32", GgufValue.Of(new uint[] { 1, uint.MaxValue }))
            .Set("test.arr_i32", GgufValue.Of(new[] { -1, 2, -3 }))
            .Set("test.arr_f32", GgufValue.Of(new[] { 0.5f, -1.25f, 3.0f }))
            .Set("test.arr_bool", Sample.Arr(GgufValueType.Bool, new[] { true, false, true }))
            .Set("test.arr_str", GgufValue.Of(new[] { "a", "", "ü✓" }))
            .Set("test.arr_u64", Sample.Arr(GgufValueType.UInt64, new[] { 0UL, ulong.MaxValue }))
            .Set("test.arr_i64", Sample.Arr(GgufValueType.Int64, new[] { long.MinValue, long.MaxValue }))
            .Set("test.arr_f64", Sample.Arr(GgufValueType.Float64, new[] { 1e-300, -0.1 }))
            .Set("test.arr_nested", Sample.Arr(GgufValueType.Array, new[]
            {
                new GgufArray(GgufValueType.String, new[] { "x", "yy" }),
                new GgufArray(GgufValueType.String, new[] { "zzz" }),
            }));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(64u)]
    public void ReadsExactlyWhatGgufPyWrote(uint alignment)
    {
        using var dir = new TempDir();
        string path = dir.File("py.gguf");
        using var written = JsonDocument.Parse(Reference.RunScript("gguf_py_write.py", path, alignment.ToString(CultureInfo.InvariantCulture)));

        using var f = GgufFile.Open(path);
        var expected = GgufPyWrites(alignment);
        Assert.Equal(expected.Metadata.Select(kv => kv.Key), f.MetadataKeys);
        foreach (var (key, value) in expected.Metadata) Values.AssertEqual(key, value, f.Get(key));
        long align = alignment == 0 ? GgufFile.DefaultAlignment : alignment;
        Assert.Equal(align, f.Alignment);

        var tensors = written.RootElement.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(tensors.Select(t => t.GetProperty("name").GetString()), f.Tensors.Select(t => t.Name));
        foreach (var jt in tensors)
        {
            var t = f.FindTensor(jt.GetProperty("name").GetString()!)!;
            Assert.Equal((GgmlType)jt.GetProperty("type").GetUInt32(), t.Type);
            Assert.Equal(jt.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), t.Shape);
            Assert.Equal(0, (f.DataOffset + t.Offset) % align);
            Assert.Equal(jt.GetProperty("hex").GetString(), Convert.ToHexStringLower(f.TensorBytes(t)));
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(64u)]
    public void GgufPyReadsWhatWeWrote(uint alignment)
    {
        using var dir = new TempDir();
        string path = dir.File("ours.gguf");
        Sample.WithTensors(alignment, seed: 5).ToWriter().Write(path);
        using var f = GgufFile.Open(path);
        AssertGgufPyAgrees(f);
    }

    private static readonly string[] SmallVocabularies = ["ggml-vocab-bert-bge.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"];

    [Fact]
    public void SmallVocabularyFilesReadAsGgufPyReadsThem()
    {
        // The larger vocabularies take gguf-py minutes to parse; these three cover SentencePiece, WordPiece and BPE files.
        string models = Path.Combine(Reference.RequireLlamaSrc(), "models");
        foreach (string name in SmallVocabularies)
        {
            using var f = GgufFile.Open(Path.Combine(models, name));
            AssertGgufPyAgrees(f);
        }
    }

    [Fact]
    public void EveryVocabularyFileReadsWithConsistentTokenizerMetadata()
    {
        string models = Path.Combine(Reference.RequireLlamaSrc(), "models");
        var files = Directory.GetFiles(models, "ggml-vocab-*.gguf").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 15, $"expected the ~20 ggml-vocab-*.gguf files in {models}, found {files.Count}: run ../shared/refharness/setup.sh");
        var versions = new HashSet<uint>();
        foreach (string path in files)
        {
            using var f = GgufFile.Open(path);
            string name = Path.GetFileName(path);
            versions.Add(f.Version);
            Assert.True(f.Get("general.architecture").AsString("general.architecture").Length > 0, name);
            var model = f.Get("tokenizer.ggml.model");
            Assert.Equal(GgufValueType.String, model.Type);
            Assert.Contains(model.AsString("tokenizer.ggml.model"), new[] { "llama", "gpt2", "bert", "t5", "rwkv", "ugm", "gemma4", "plamo2", "none" });

            var tokens = f.Get("tokenizer.ggml.tokens").AsArray("tokenizer.ggml.tokens");
            Assert.Equal(GgufValueType.String, tokens.ElementType);
            int n = tokens.Count;
            Assert.True(n > 1000, $"{name}: {n} tokens");
            Assert.All((string[])tokens.Items, t => Assert.NotNull(t));
            if (f.TryGet("tokenizer.ggml.scores", out var scores))
                Assert.Equal((GgufValueType.Float32, n), (scores.AsArray("scores").ElementType, scores.AsArray("scores").Count));
            if (f.TryGet("tokenizer.ggml.token_type", out var types))
            {
                Assert.Equal((GgufValueType.Int32, n), (types.AsArray("token_type").ElementType, types.AsArray("token_type").Count));
                Assert.All((int[])types.AsArray("token_type").Items, t => Assert.InRange(t, 0, 6));
            }
            if (f.TryGet("tokenizer.ggml.merges", out var merges))
            {
                Assert.Equal(GgufValueType.String, merges.AsArray("merges").ElementType);
                Assert.All((string[])merges.AsArray("merges").Items, m => Assert.Contains(' ', m));
            }
            foreach (string key in f.MetadataKeys.Where(k => k.StartsWith("tokenizer.ggml.", StringComparison.Ordinal) && k.EndsWith("_token_id", StringComparison.Ordinal)))
            {
                long id = f.Get(key).AsInt64(key);
                Assert.True(id >= -1 && id < n, $"{name}: {key} = {id}, outside the {n} tokens");
            }
            Assert.Empty(f.Tensors);
        }
        Assert.Contains(3u, versions);
        Assert.Contains(2u, versions); // ggml-vocab-aquila.gguf is a version 2 file
    }

    /// <summary>Runs gguf-py's GGUFReader on <paramref name="f"/>'s file and checks it finds what we found.</summary>
    private static void AssertGgufPyAgrees(GgufFile f)
    {
        using var doc = JsonDocument.Parse(Reference.RunScript("gguf_py_read.py", f.Path), new JsonDocumentOptions { MaxDepth = 256 });
        var root = doc.RootElement;
        Assert.Equal(f.Version, root.GetProperty("version").GetUInt32());
        Assert.Equal(f.Alignment, root.GetProperty("alignment").GetInt64());
        Assert.Equal(f.DataOffset, root.GetProperty("data_offset").GetInt64());

        var fields = root.GetProperty("fields").EnumerateObject().ToList();
        Assert.Equal(f.MetadataKeys, fields.Select(p => p.Name));
        foreach (var field in fields)
        {
            var value = f.Metadata[field.Name];
            Assert.Equal(PyTypes(value), field.Value.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
            var pyValue = field.Value.GetProperty("value");
            if (value.Value is GgufArray a)
            {
                var leaves = new List<object>();
                Flatten(a, leaves);
                var pyLeaves = pyValue.EnumerateArray().ToList();
                Assert.True(leaves.Count == pyLeaves.Count, $"'{field.Name}': {leaves.Count} values, gguf-py found {pyLeaves.Count}");
                for (int i = 0; i < leaves.Count; i++) AssertLeaf($"{field.Name}[{i}]", leaves[i], pyLeaves[i]);
            }
            else
            {
                AssertLeaf(field.Name, value.Value, pyValue);
            }
        }

        var tensors = root.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(f.Tensors.Select(t => t.Name), tensors.Select(t => t.GetProperty("name").GetString()));
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = f.Tensors[i];
            var jt = tensors[i];
            Assert.Equal((uint)t.Type, jt.GetProperty("type").GetUInt32());
            Assert.Equal(t.Shape, jt.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(f.DataOffset + t.Offset, jt.GetProperty("data_offset").GetInt64());
            Assert.Equal(t.ByteSize, jt.GetProperty("n_bytes").GetInt64());
            Assert.Equal(jt.GetProperty("hex").GetString(), Convert.ToHexStringLower(f.TensorBytes(t)));
        }
    }

    /// <summary>gguf-py's type list: the value's type, then for arrays the type list of the first element, if any.</summary>
    private static List<string> PyTypes(GgufValue v)
    {
        var types = new List<string> { v.Type.ToString().ToUpperInvariant() };
        object value = v.Value;
        while (value is GgufArray a)
        {
            if (a.Count == 0) break;
            types.Add(a.ElementType.ToString().ToUpperInvariant());
            value = a.Items.GetValue(0)!;
        }
        return types;
    }

    private static void Flatten(GgufArray a, List<object> leaves)
    {
        foreach (var item in a.Items)
        {
            if (item is GgufArray inner) Flatten(inner, leaves);
            else leaves.Add(item!);
        }
    }

    private static void AssertLeaf(string where, object ours, JsonElement py)
    {
        switch (ours)
        {
            case string s:
                Assert.True(s == py.GetString(), $"{where}: {s} vs gguf-py {py}");
                break;
            case bool b:
                Assert.True(py.ValueKind == (b ? JsonValueKind.True : JsonValueKind.False), $"{where}: {b} vs gguf-py {py}");
                break;
            case float or double:
                double d = ours is float fl ? fl : (double)ours;
                double pd = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(Convert.FromHexString(py.GetProperty("double").GetString()!)));
                Assert.True(double.IsNaN(d) ? double.IsNaN(pd) : BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(pd), $"{where}: {d} vs gguf-py {pd}");
                break;
            default:
                string text = ((IFormattable)ours).ToString(null, CultureInfo.InvariantCulture);
                Assert.True(text == py.GetRawText(), $"{where}: {text} vs gguf-py {py.GetRawText()}");
                break;
        }
    }
}
