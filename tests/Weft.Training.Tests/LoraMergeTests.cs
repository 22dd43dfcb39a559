// weft merge's core (LoraMerger): the merged model must give the logits the base gives with the adapter applied, in
// llama.cpp (oracle on OUT vs oracle on BASE --lora ADAPTER) and in Weft; untouched tensors and metadata are copied.
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Models.Adapters;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Tensors;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class LoraMergeTests(ITestOutputHelper output)
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "lora-merge", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 96, Vocab = 320, Seed = 22 };
    private static readonly Lazy<string> Trained = new(() => LoraInferenceTests.TrainAdapter(TinyModels.Write(Spec)));
    private static readonly int[] Ids = TinyModels.RandomPrompt(Spec.Vocab, 19, seed: 6);

    /// <summary>
    /// A quantized base merged: every adapted weight (here all projections of all layers) is rounded once more to its
    /// type, an error of the order of the quantization's own, so the merged model may differ from base + adapter by up
    /// to the divergence of the quantized base + adapter from the F32 base + adapter (and the quantized rule's floor).
    /// Measured: Q4_0 0.56 of it (KL 7.3e-2 vs 1.3e-1), Q8_0 1.4 of it but 1.0e-3, far under the 0.02 floor.
    /// </summary>
    private const double RequantizedKlShare = 1.0;

    private static string Merged(string basePath, float scale, GgmlType? type = null)
    {
        string path = Path.Combine(TinyModels.Folder, $"merged-{Guid.NewGuid():N}.gguf");
        LoraMerger.Merge(basePath, [new LoraSpec(Trained.Value, scale)], path, type);
        return path;
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    public void F32_merge_gives_the_logits_of_the_adapter_applied(float scale)
    {
        string basePath = TinyModels.Write(Spec);
        string merged = Merged(basePath, scale);
        try
        {
            var applied = Oracle.Logits(basePath, Ids, [(Trained.Value, scale)]);
            var mergedLogits = Oracle.Logits(merged, Ids);
            var plain = Oracle.Logits(basePath, Ids);
            var llama = Agreement.Check(applied, mergedLogits, Spec.Vocab, "f32", () => plain);
            var weft = Agreement.Check(Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, scale)]), Engine.Logits(merged, Ids), Spec.Vocab, "f32", () => plain);
            output.WriteLine($"scale {scale}: llama.cpp merged vs --lora: {llama}; weft merged vs --lora: {weft}; adapter effect NMSE {LogitMetrics.Nmse(applied, plain):E2}");
            Assert.True(LogitMetrics.Nmse(applied, plain) > 1e-3, "the adapter barely changes the logits");
            Assert.True(llama.Passed, llama.Detail);
            Assert.True(weft.Passed, weft.Detail);
        }
        finally
        {
            File.Delete(merged);
        }
    }

    [Theory]
    [InlineData("Q8_0")]
    [InlineData("Q4_0")]
    public void Quantized_merge_stays_within_one_more_rounding(string type)
    {
        string f32 = TinyModels.Write(Spec);
        string basePath = QuantizedModels.ByOracle(f32, type, pure: true);
        string merged = Merged(basePath, 1f);
        try
        {
            var applied = Oracle.Logits(basePath, Ids, [(Trained.Value, 1f)]);
            var mergedLogits = Oracle.Logits(merged, Ids);
            var plain = Oracle.Logits(basePath, Ids);
            double own = LogitMetrics.MeanKl(Oracle.Logits(f32, Ids, [(Trained.Value, 1f)]), applied, Spec.Vocab);
            double limit = Math.Max(RequantizedKlShare * own, Tolerances.QuantKlFloor);
            double kl = LogitMetrics.MeanKl(applied, mergedLogits, Spec.Vocab);
            double klPlain = LogitMetrics.MeanKl(applied, plain, Spec.Vocab);
            double weftKl = LogitMetrics.MeanKl(Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, 1f)]), Engine.Logits(merged, Ids), Spec.Vocab);
            output.WriteLine($"{type}: KL merged vs --lora {kl:E2} (weft {weftKl:E2}), limit {limit:E2} (quantization's own {own:E2}); KL base without adapter vs --lora {klPlain:E2}");
            Assert.True(kl <= limit, $"llama.cpp: KL {kl:E2} > {limit:E2}");
            Assert.True(weftKl <= limit, $"weft: KL {weftKl:E2} > {limit:E2}");
            // the merge kept the adapter: much nearer the adapted logits than the base alone is
            Assert.True(kl < klPlain / 10, $"KL merged {kl:E2} is not far below the base's {klPlain:E2}");
            using var file = GgufFile.Open(merged);
            Assert.All(file.Tensors.Where(t => t.Name.EndsWith("attn_q.weight", StringComparison.Ordinal)), t => Assert.Equal(type, TypeTraits.NameOf(t.Type)));
        }
        finally
        {
            File.Delete(merged);
        }
    }

    [Fact]
    public void Untouched_tensors_and_metadata_are_copied_and_type_is_honoured()
    {
        string basePath = TinyModels.Write(Spec);
        string merged = Merged(basePath, 1f, GgmlType.F16);
        try
        {
            using var a = GgufFile.Open(basePath);
            using var b = GgufFile.Open(merged);
            Assert.Equal(a.MetadataKeys, b.MetadataKeys);
            Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
            var adapted = new HashSet<string>(LoraAdapterFileWeights(Trained.Value));
            foreach (var t in a.Tensors)
            {
                var u = b.FindTensor(t.Name)!;
                Assert.Equal(t.Shape, u.Shape);
                if (adapted.Contains(t.Name)) Assert.Equal(GgmlType.F16, u.Type);
                else Assert.True(a.TensorBytes(t).SequenceEqual(b.TensorBytes(u)), $"{t.Name} changed");
            }
            var v = Agreement.Check(Oracle.Logits(basePath, Ids, [(Trained.Value, 1f)]), Oracle.Logits(merged, Ids), Spec.Vocab, "f16", () => []);
            output.WriteLine($"F16 merge: {v}");
            Assert.True(v.Passed, v.Detail);
        }
        finally
        {
            File.Delete(merged);
        }
    }

    [Fact]
    public void An_adapter_of_another_model_is_refused_and_nothing_is_written()
    {
        string other = TinyModels.Write(Spec with { Name = "lora-merge-wide", Embedding = 96 });
        string outPath = Path.Combine(TinyModels.Folder, $"merged-{Guid.NewGuid():N}.gguf");
        var e = Assert.Throws<AdapterException>(() => LoraMerger.Merge(other, [new LoraSpec(Trained.Value)], outPath));
        // the first adapted weight by name: the adapter's factors make ne [64, 32], the wide base has ne [96, 48]
        Assert.Contains("'blk.0.attn_k.weight'", e.Message);
        Assert.Contains("ne [64, 32]", e.Message);
        Assert.Contains("ne [96, 48]", e.Message);
        Assert.False(File.Exists(outPath));
    }

    private static string[] LoraAdapterFileWeights(string path)
    {
        using var f = LoraAdapterFile.Open(path);
        return f.Pairs.Select(p => p.Weight).ToArray();
    }
}
