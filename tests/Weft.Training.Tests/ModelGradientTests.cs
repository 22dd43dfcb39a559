// Whole-model gradient checks in float64: full training of a random tiny llama, and LoRA factors over a frozen base.
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Tensors.Kernels;
using Weft.TestKit;
using Weft.Training.Modeling;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class ModelGradientTests(ITestOutputHelper output)
{
    public static ModelConfig TinyConfig(int vocab = 23) => new()
    {
        Architecture = "llama",
        VocabSize = vocab,
        EmbeddingLength = 16,
        LayerCount = 2,
        HeadCount = 4,
        KvHeadCount = 2,
        HeadDim = 4,
        ValueHeadDim = 4,
        FeedForwardLength = 24,
        NormEpsilon = 1e-5f,
        TrainContextLength = 64,
        Rope = new RopeParams(4, 10000f),
        AttentionScale = 0.5f,
    };

    private static TokenBatch Batch(int vocab)
    {
        var rng = new Random(11);
        int[] Seq(int len) => Enumerable.Range(0, len).Select(_ => rng.Next(vocab)).ToArray();
        var a = Seq(6);
        var b = Seq(5);
        return TokenBatch.From([
            new TrainingExample(a, [false, false, true, true, false, true]),
            TrainingExample.AllTokens(b),
        ]);
    }

    private double CheckAll(TrainingModel<double> model, TokenBatch batch, int samples)
    {
        model.ZeroGrad();
        model.ForwardBackward(batch, training: false);
        double worst = 0;
        foreach (var p in model.TrainableParameters)
        {
            var analytic = (double[])p.Grad!.Clone();
            double e = GradCheck.RelativeError(p.Value, analytic, () => model.Loss(batch), samples);
            output.WriteLine($"{p.Name} [{string.Join(", ", p.Shape)}]: relative error {e:E2}");
            Assert.True(e <= GradCheck.Limit, $"{p.Name}: relative error {e:E2}");
            worst = Math.Max(worst, e);
        }
        output.WriteLine($"worst: {worst:E2}");
        return worst;
    }

    [Fact]
    public void Full_training_gradients_of_a_tiny_model_with_grouped_kv_heads()
    {
        var model = TrainingModel<double>.CreateRandom(TinyConfig(), seed: 3);
        Assert.Equal(2 + 2 * 9 + 1, model.TrainableParameters.Count);
        CheckAll(model, Batch(23), samples: 12);
    }

    [Fact]
    public void Lora_gradients_over_a_frozen_gguf_base()
    {
        string path = TinyModels.Write(new SyntheticModelSpec { Name = "train-gradcheck", Embedding = 16, Heads = 4, KvHeads = 2, FeedForward = 24, Vocab = 300, Seed = 4 });
        using var m = Model.Load(path);
        var model = TrainingModel<double>.WithLora(m, new LoraOptions { Rank = 2, Alpha = 4, Targets = LoraOptions.ParseTargets("all") });
        foreach (var f in model.LoraFactors) GradCheck.Random(f.B.Value.Length, 40).CopyTo(f.B.Value, 0);
        Assert.Equal(2 * 7 * 2, model.TrainableParameters.Count);
        CheckAll(model, Batch(300), samples: 12);
    }
}
