// Hugging Face checkpoints against llama.cpp: a synthetic model written as a checkpoint folder (the same weights in
// Hugging Face's layout) is run in place, converted to GGUF, and the converted file run by both engines; the converted
// tensors must equal the original synthetic GGUF's.
using System.Text.Json.Nodes;
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Formats.Safetensors;
using Weft.Models.Checkpoints;
using Weft.Models.Loading;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests.Checkpoints;

public class CheckpointTests(ITestOutputHelper output)
{
    private static SyntheticModelSpec S(string name, int embd, int heads, int kvHeads, int layers, int ff, int seed) =>
        new() { Name = name, Embedding = embd, Heads = heads, KvHeads = kvHeads, Layers = layers, FeedForward = ff, Seed = seed };

    /// <summary>Case → (model_type, synthetic spec). Names avoid "phi3" (llama.cpp's Phi-3 vocabulary rules).</summary>
    public static readonly Dictionary<string, (string ModelType, SyntheticModelSpec Spec)> Models = new()
    {
        ["llama"] = ("llama", S("ck-llama", 128, 4, 4, 2, 256, 301)),
        ["mistral-gqa"] = ("mistral", S("ck-mistral", 256, 8, 2, 2, 384, 302)),
        ["mixtral"] = ("mixtral", FamilyDifferentialTests.Families["mixtral"][0]),
        ["qwen2"] = ("qwen2", FamilyDifferentialTests.Families["qwen2"][1]),
        ["olmo"] = ("olmo", FamilyDifferentialTests.Families["olmo"][0]),
        ["olmo2"] = ("olmo2", FamilyDifferentialTests.Families["olmo2"][0]),
        ["gemma2"] = ("gemma2", FamilyDifferentialTests.Families["gemma2"][0]),
        ["phi-tied"] = ("phi3", FamilyDifferentialTests.Families["phi3"][2]),
        ["falcon-mqa"] = ("falcon", FamilyDifferentialTests.Families["falcon"][0]),
        ["falcon-40b-gqa"] = ("falcon", FamilyDifferentialTests.Families["falcon"][1]),
    };

    public static TheoryData<string, string, int> Cases()
    {
        var d = new TheoryData<string, string, int>();
        foreach (var name in Models.Keys) d.Add(name, "F32", 1);
        d.Add("llama", "F32", 3);
        d.Add("mixtral", "BF16", 2);
        d.Add("mistral-gqa", "F16", 1);
        d.Add("qwen2", "BF16", 1);
        d.Add("gemma2", "F16", 2);
        return d;
    }

    private static string Folder(string name, string dtype, int shards) =>
        Path.Combine(TinyModels.Folder, "hf", $"{name}-{dtype.ToLowerInvariant()}-{shards}");

    private static (string Folder, SyntheticModelSpec Spec, string Gguf) Checkpoint(string name, string dtype, int shards)
    {
        var (type, spec) = Models[name];
        string gguf = TinyModels.Write(spec);
        string folder = Folder(name, dtype, shards);
        HfCheckpointWriter.Write(gguf, folder, type, Enum.Parse<SafetensorsDtype>(dtype), shards);
        return (folder, spec, gguf);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FolderConvertedFileAndOracleAgree(string name, string dtype, int shards)
    {
        var (folder, spec, gguf) = Checkpoint(name, dtype, shards);
        string converted = folder + ".gguf";
        CheckpointConverter.Convert(folder, converted);
        if (dtype == "F32") AssertSameTensors(gguf, converted);

        var ids = TinyModels.RandomPrompt(spec.VocabSize, 32, spec.Seed);
        var oracle = Oracle.Logits(converted, ids);
        var inPlace = Engine.Logits(folder, ids);
        var fromGguf = Engine.Logits(converted, ids);
        var v1 = Agreement.Check(oracle, inPlace, spec.VocabSize, dtype, () => oracle);
        var v2 = Agreement.Check(oracle, fromGguf, spec.VocabSize, dtype, () => oracle);
        output.WriteLine($"{name} {dtype} x{shards}: folder vs oracle {v1}; converted vs oracle {v2}");
        Assert.True(v1.Passed, "folder: " + v1);
        Assert.True(v2.Passed, "converted: " + v2);
    }

    private static void AssertSameTensors(string expectedPath, string actualPath)
    {
        using var expected = GgufFile.Open(expectedPath);
        using var actual = GgufFile.Open(actualPath);
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), actual.Tensors.Select(t => t.Name).Order());
        foreach (var t in expected.Tensors)
        {
            var a = actual.FindTensor(t.Name)!;
            Assert.Equal(t.Shape, a.Shape);
            Assert.Equal(t.Type, a.Type);
            Assert.True(expected.TensorBytes(t).SequenceEqual(actual.TensorBytes(a)), $"tensor {t.Name} differs");
        }
    }

    [Theory]
    [InlineData("llama", "Q8_0")]
    [InlineData("llama", "Q4_K_M")]
    [InlineData("mixtral", "Q8_0")]
    [InlineData("qwen2", "Q4_K_M")]
    public void QuantizedConvertAgreesWithTheOracle(string name, string type)
    {
        var (folder, spec, gguf) = Checkpoint(name, "F32", 1);
        string converted = $"{folder}-{type.ToLowerInvariant()}.gguf";
        CheckpointConverter.Convert(folder, converted, type);
        var ids = TinyModels.RandomPrompt(spec.VocabSize, 32, spec.Seed);
        var oracle = Oracle.Logits(converted, ids);
        var ours = Engine.Logits(converted, ids);
        var verdict = Agreement.Check(oracle, ours, spec.VocabSize, type, () => Oracle.Logits(gguf, ids));
        output.WriteLine($"{name} {type}: {verdict}");
        Assert.True(verdict.Passed, verdict.ToString());
    }

    [Fact]
    public void ConvertedFileCarriesTokenizerAndChatTemplate()
    {
        var (folder, _, gguf) = Checkpoint("llama", "F32", 1);
        string converted = folder + "-tok.gguf";
        CheckpointConverter.Convert(folder, converted);
        using var original = GgufFile.Open(gguf);
        using var file = GgufFile.Open(converted);
        var a = GgufTokenizerLoader.ReadSpec(original);
        var b = GgufTokenizerLoader.ReadSpec(file);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.Scores, b.Scores);
        Assert.Equal(a.TokenTypes, b.TokenTypes);
        Assert.Equal((a.BosId, a.EosId, a.UnkId, a.AddBos), (b.BosId, b.EosId, b.UnkId, b.AddBos));
        Assert.Equal(HfCheckpointWriter.ChatTemplate, file.Get(MetadataKeys.ChatTemplate).AsString("t"));
        foreach (string key in new[] { "llama.context_length", "llama.embedding_length", "llama.block_count", "llama.feed_forward_length",
                     "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.freq_base", "llama.attention.layer_norm_rms_epsilon" })
            Assert.Equal(original.Get(key).AsDouble(key), file.Get(key).AsDouble(key), 6);
    }

    // Bad checkpoints: each error names the file and what is wrong.

    private static string Copy(string name)
    {
        var (folder, _, _) = Checkpoint(name, "F32", 2);
        string bad = folder + "-bad-" + Guid.NewGuid().ToString("N")[..6];
        Directory.CreateDirectory(bad);
        foreach (var f in Directory.GetFiles(folder)) File.Copy(f, Path.Combine(bad, Path.GetFileName(f)));
        return bad;
    }

    private static void EditConfig(string folder, Action<JsonObject> edit)
    {
        string path = Path.Combine(folder, "config.json");
        var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(o);
        File.WriteAllText(path, o.ToJsonString());
    }

    [Fact]
    public void MissingShardIsNamed()
    {
        string folder = Copy("llama");
        File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(folder));
        Assert.Contains("model-00002-of-00002.safetensors", e.Message);
        Assert.Contains(SafetensorsCheckpoint.IndexName, e.Message);
    }

    [Fact]
    public void ShapeContradictingConfigNamesBothTensors()
    {
        string folder = Copy("llama");
        EditConfig(folder, o => o["intermediate_size"] = 320);
        var e = Assert.Throws<ModelFormatException>(() => CheckpointConverter.Convert(folder, folder + ".gguf"));
        Assert.Contains("blk.0.ffn_", e.Message);
        Assert.Contains("model.layers.0.mlp.", e.Message);
        Assert.Contains(".safetensors", e.Message);
    }

    [Fact]
    public void UnknownModelTypeIsNamed()
    {
        string folder = Copy("llama");
        EditConfig(folder, o => o["model_type"] = "gpt_bigcode");
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(folder));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'gpt_bigcode'", e.Message);
    }

    [Fact]
    public void UnmappedTensorIsNamed()
    {
        string folder = Copy("llama");
        new SafetensorsWriter().AddF32("model.layers.0.mystery.weight", [2], [1f, 2f]).Write(Path.Combine(folder, "model.safetensors"));
        File.Delete(Path.Combine(folder, SafetensorsCheckpoint.IndexName));
        foreach (var f in Directory.GetFiles(folder, "model-*")) File.Delete(f);
        var e = Assert.Throws<UnsupportedModelException>(() => Model.Load(folder));
        Assert.Contains("model.layers.0.mystery.weight", e.Message);
    }

    [Fact]
    public void TokenizerMetadataRoundTripsThroughGguf()
    {
        using var v = GgufFile.Open(TinyModels.LlamaVocabulary);
        var spec = GgufTokenizerLoader.ReadSpec(v);
        var w = new GgufWriter();
        w.Set(MetadataKeys.Architecture, "llama");
        foreach (var kv in TokenizerMetadata.ToGguf(spec with { ModelName = null, Architecture = null }, "T")) w.Set(kv.Key, kv.Value);
        string path = Path.Combine(TinyModels.Folder, "tokmeta-" + Guid.NewGuid().ToString("N")[..6] + ".gguf");
        w.Write(path);
        using var back = GgufFile.Open(path);
        var again = GgufTokenizerLoader.ReadSpec(back);
        File.Delete(path);
        Assert.Equal(spec.Tokens, again.Tokens);
        Assert.Equal(spec.Scores, again.Scores);
        Assert.Equal(spec.TokenTypes, again.TokenTypes);
        string[] none = [];
        Assert.Equal(spec with { Tokens = none, Scores = null, TokenTypes = null, Merges = null, ModelName = null },
            again with { Tokens = none, Scores = null, TokenTypes = null, Merges = null, ModelName = null });
        Assert.Equal("T", back.Get(MetadataKeys.ChatTemplate).AsString("t"));
    }
}
