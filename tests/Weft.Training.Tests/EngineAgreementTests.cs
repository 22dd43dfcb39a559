// The training model's float32 forward pass against the engine's (DecoderSession) on the same GGUF file.
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.Modeling;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class EngineAgreementTests(ITestOutputHelper output)
{
    internal static readonly SyntheticModelSpec Spec = new() { Name = "train-agree", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 96, Vocab = 320, Seed = 9 };

    [Theory]
    [InlineData("full")]
    [InlineData("lora")]
    public void Forward_logits_match_the_engine(string mode)
    {
        string path = TinyModels.Write(Spec);
        var ids = TinyModels.RandomPrompt(Spec.Vocab, 24, seed: 5);
        var expected = Engine.Logits(path, ids);
        using var m = Model.Load(path);
        var model = mode == "full" ? TrainingModel<float>.FromModel(m, Engine.Pool) : TrainingModel<float>.WithLora(m, new LoraOptions(), Engine.Pool);
        var ours = model.Forward(TokenBatch.ForInference(ids));
        double nmse = LogitMetrics.Nmse(expected, ours);
        double top1 = LogitMetrics.TolerantTop1(expected, ours, Spec.Vocab, Tolerances.FloatTop1Margin);
        output.WriteLine($"{mode}: NMSE {nmse:E2}, tolerant top-1 {top1:P1}");
        Assert.True(nmse <= Tolerances.F32Nmse, $"NMSE {nmse:E2}");
        Assert.True(top1 >= Tolerances.FloatTop1Share, $"top-1 {top1:P1}");
    }

    [Fact]
    public void Sequences_of_one_batch_do_not_see_each_other()
    {
        string path = TinyModels.Write(Spec);
        var a = TinyModels.RandomPrompt(Spec.Vocab, 9, seed: 1);
        var b = TinyModels.RandomPrompt(Spec.Vocab, 13, seed: 2);
        using var m = Model.Load(path);
        var model = TrainingModel<float>.FromModel(m, Engine.Pool);
        var both = model.Forward(TokenBatch.ForInference(a, b));
        var alone = model.Forward(TokenBatch.ForInference(b));
        int v = Spec.Vocab;
        double nmse = LogitMetrics.Nmse(alone, both.AsSpan(a.Length * v));
        Assert.True(nmse <= 1e-10, $"NMSE {nmse:E2}");
    }
}
