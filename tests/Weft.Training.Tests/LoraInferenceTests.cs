// Adapters applied at inference (Model.Load with LoRA specs: base weights untouched, y += scale·B(A x) in the forward
// pass) against llama.cpp applying the same files (refharness logits --lora FILE --lora-scale S).
using Weft.Models;
using Weft.Models.Adapters;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.Modeling;
using Weft.Training.Optimization;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class LoraInferenceTests(ITestOutputHelper output)
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "lora-infer", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 96, Vocab = 320, Seed = 21 };
    private static readonly Lazy<string> Trained = new(() => TrainAdapter(TinyModels.Write(Spec)));
    private static readonly int[] Ids = TinyModels.RandomPrompt(Spec.Vocab, 19, seed: 5);

    /// <summary>An adapter of every projection trained by us for a few steps, so that B is far from zero.</summary>
    internal static string TrainAdapter(string basePath)
    {
        using var m = Model.Load(basePath);
        var model = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = 4, Alpha = 8, Targets = LoraOptions.ParseTargets("all") }, Engine.Pool);
        var trainer = new Trainer<float>(model, new TrainerOptions { Schedule = LearningRateSchedule.Constant(3e-2) });
        var train = TokenBatch.From([TrainingExample.AllTokens(TinyModels.RandomPrompt(Spec.Vocab, 24, seed: 3))]);
        for (int s = 0; s < 4; s++) trainer.TrainStep(train);
        string path = Path.Combine(TinyModels.Folder, $"lora-infer-{Guid.NewGuid():N}.gguf");
        LoraAdapter.Write(path, model, "trained test adapter");
        return path;
    }

    private Verdict Compare(string basePath, string type, float scale, int batch = 512)
    {
        string adapter = Trained.Value;
        var theirs = Oracle.Logits(basePath, Ids, [(adapter, scale)]);
        var ours = Engine.Logits(basePath, Ids, [new LoraSpec(adapter, scale)], batch);
        var plain = Oracle.Logits(basePath, Ids);
        double effect = LogitMetrics.Nmse(theirs, plain);
        var verdict = Agreement.Check(theirs, ours, Spec.Vocab, type, () => Oracle.Logits(TinyModels.Write(Spec), Ids, [(adapter, scale)]));
        output.WriteLine($"{type} scale {scale} batch {batch}: {verdict}; adapter vs base NMSE {effect:E2}");
        Assert.True(effect > 1e-3, $"the adapter barely changes the logits (NMSE {effect:E2}): the comparison would prove nothing");
        return verdict;
    }

    [Theory]
    [InlineData(1f, 512)]
    [InlineData(0.5f, 512)]
    [InlineData(1f, 1)] // token by token: the decoding path
    public void F32_base_with_adapter_matches_llama_cpp(float scale, int batch)
    {
        var v = Compare(TinyModels.Write(Spec), "f32", scale, batch);
        Assert.True(v.Passed, v.Detail);
    }

    [Theory]
    [InlineData("Q8_0")]
    [InlineData("Q4_0")]
    public void Quantized_base_with_adapter_matches_llama_cpp(string type)
    {
        string q = QuantizedModels.ByOracle(TinyModels.Write(Spec), type, pure: true);
        var v = Compare(q, type, 1f);
        Assert.True(v.Passed, v.Detail);
    }

    [Fact]
    public void Scale_changes_the_update_and_zero_is_the_base()
    {
        string basePath = TinyModels.Write(Spec);
        var plain = Engine.Logits(basePath, Ids);
        Assert.Equal(plain, Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, 0f)]));
        var half = Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, 0.5f)]);
        var full = Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, 1f)]);
        Assert.True(LogitMetrics.Nmse(full, half) > 1e-4, "scale 0.5 gives the same logits as scale 1");
    }

    [Fact]
    public void Two_adapters_and_the_output_head_match_llama_cpp()
    {
        string basePath = TinyModels.Write(Spec);
        string random = RandomAdapters.Write(basePath, RandomAdapters.AllProjections(basePath), rank: 3, alpha: 6, seed: 7);
        try
        {
            Assert.Contains(TensorNames.Output, RandomAdapters.AllProjections(basePath));
            var theirs = Oracle.Logits(basePath, Ids, [(Trained.Value, 0.7f), (random, 1.5f)]);
            var ours = Engine.Logits(basePath, Ids, [new LoraSpec(Trained.Value, 0.7f), new LoraSpec(random, 1.5f)]);
            var v = Agreement.Check(theirs, ours, Spec.Vocab, "f32", () => throw new InvalidOperationException());
            output.WriteLine($"two adapters: {v}");
            Assert.True(v.Passed, v.Detail);
        }
        finally
        {
            File.Delete(random);
        }
    }

    [Fact]
    public void An_adapter_of_another_architecture_is_refused()
    {
        string basePath = TinyModels.Write(Spec);
        string wrong = RandomAdapters.Write(basePath, [TensorNames.AttnQ(0)], rank: 2, alpha: 2, seed: 1, architecture: "qwen2");
        try
        {
            var e = Assert.Throws<AdapterException>(() => Model.Load(basePath, [new LoraSpec(wrong)]));
            Assert.Contains("architecture 'qwen2'", e.Message);
            Assert.Contains("'llama'", e.Message);
        }
        finally
        {
            File.Delete(wrong);
        }
    }

    [Fact]
    public void An_adapter_of_other_shapes_is_refused_naming_the_tensor_and_both_shapes()
    {
        string other = TinyModels.Write(Spec with { Name = "lora-infer-wide", Embedding = 96 });
        string wrong = RandomAdapters.Write(other, [TensorNames.AttnQ(0)], rank: 2, alpha: 2, seed: 1);
        try
        {
            var e = Assert.Throws<AdapterException>(() => Model.Load(TinyModels.Write(Spec), [new LoraSpec(wrong)]));
            Assert.Contains("'blk.0.attn_q.weight'", e.Message);
            Assert.Contains("ne [96, 96]", e.Message);
            Assert.Contains("ne [64, 64]", e.Message);
        }
        finally
        {
            File.Delete(wrong);
        }
    }

    [Fact]
    public void A_model_file_given_as_adapter_is_refused()
    {
        string basePath = TinyModels.Write(Spec);
        var e = Assert.Throws<AdapterException>(() => Model.Load(basePath, [new LoraSpec(basePath)]));
        Assert.Contains("is not a LoRA adapter", e.Message);
    }
}
