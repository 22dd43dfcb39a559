// `weft inspect` and `weft logits` on a valid model.
using System.Runtime.InteropServices;
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class InspectAndLogitsTests
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "cli-ok", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 96, Seed = 52 };

    [Fact]
    public void InspectListsMetadataAndTensors()
    {
        var r = WeftProcess.Run("inspect", TinyModels.Write(Spec));
        Assert.Equal(0, r.Exit);
        Assert.Contains("llama.embedding_length = 64", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("blk.1.ffn_down.weight", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("(384 items)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("weight bytes read per token", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void InspectJsonIsOneObjectWithTheTensorTable()
    {
        string path = TinyModels.Write(Spec);
        var r = WeftProcess.Run("inspect", path, "--json");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(64, root.GetProperty("metadata").GetProperty("llama.embedding_length").GetInt32());
        Assert.Equal(384, root.GetProperty("metadata").GetProperty("tokenizer.ggml.tokens").GetProperty("length").GetInt32());
        var tensors = root.GetProperty("tensors");
        Assert.Equal(2 + 2 * 9 + 1, tensors.GetArrayLength());
        long parameters = 0;
        foreach (var t in tensors.EnumerateArray())
            parameters += t.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => a * d.GetInt64());
        Assert.Equal(parameters, root.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void LogitsFileEqualsTheEngine()
    {
        string path = TinyModels.Write(Spec);
        var ids = TinyModels.RandomPrompt(Spec.VocabSize, 9, 3);
        string output = Path.Combine(TinyModels.Folder, $"logits-{Guid.NewGuid():N}.f32");
        var r = WeftProcess.Run("logits", path, "--ids", string.Join(',', ids), "--out", output);
        Assert.Equal(0, r.Exit);
        var fromCli = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        var direct = Engine.Logits(path, ids);
        Assert.Equal(direct.Length, fromCli.Length);
        Assert.True(LogitMetrics.Nmse(direct, fromCli) < 1e-10);
        File.Delete(output);
    }
}
