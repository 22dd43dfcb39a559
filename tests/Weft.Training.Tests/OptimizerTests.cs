// AdamW, the learning-rate schedule, clipping and gradient accumulation.
using Weft.Training.Modeling;
using Weft.Training.Optimization;

namespace Weft.Training.Tests;

public sealed class OptimizerTests
{
    private static Parameter<double> Param(double[] value, double[] grad, int[]? shape = null)
    {
        var p = new Parameter<double>("w", shape ?? [1, value.Length], value, trainable: true);
        grad.CopyTo(p.Grad!, 0);
        return p;
    }

    [Fact]
    public void First_adamw_step_moves_each_weight_by_the_learning_rate_thanks_to_bias_correction()
    {
        var p = Param([1.0, -2.0, 0.5], [0.3, -7.0, 1e-3]);
        var opt = new AdamW<double>([p], new AdamWOptions { WeightDecay = 0, Epsilon = 1e-12 });
        opt.Update(0.01);
        // m̂ = g, v̂ = g², so the step is lr·sign(g) whatever g's size (1.0 − 0.01, −2.0 + 0.01, 0.5 − 0.01)
        Assert.Equal(0.99, p.Value[0], 9);
        Assert.Equal(-1.99, p.Value[1], 9);
        Assert.Equal(0.49, p.Value[2], 6);
    }

    [Fact]
    public void Weight_decay_is_decoupled_and_skips_vectors()
    {
        var matrix = Param([2.0, -4.0], [0, 0]);
        var vector = Param([2.0, -4.0], [0, 0], shape: [2]);
        var opt = new AdamW<double>([matrix, vector], new AdamWOptions { WeightDecay = 0.1 });
        opt.Update(0.5);
        Assert.Equal(2.0 * (1 - 0.05), matrix.Value[0], 12);
        Assert.Equal(-4.0 * (1 - 0.05), matrix.Value[1], 12);
        Assert.Equal([2.0, -4.0], vector.Value);
    }

    [Fact]
    public void Adamw_minimizes_a_quadratic()
    {
        var p = Param([3.0, -5.0, 8.0], [0, 0, 0]);
        var opt = new AdamW<double>([p], new AdamWOptions { WeightDecay = 0 });
        for (int s = 0; s < 2000; s++)
        {
            for (int i = 0; i < 3; i++) p.Grad![i] = 2 * (p.Value[i] - i);
            opt.Update(0.05);
        }
        for (int i = 0; i < 3; i++) Assert.Equal(i, p.Value[i], 2);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_a_cosine_to_the_minimum()
    {
        var s = new LearningRateSchedule(Peak: 1.0, WarmupSteps: 4, TotalSteps: 14, Minimum: 0.1);
        Assert.Equal(0.25, s.At(0), 12);
        Assert.Equal(1.0, s.At(3), 12);
        Assert.Equal(1.0, s.At(4), 12);
        Assert.Equal(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 4.0 / 9)), s.At(8), 12);
        Assert.Equal(0.1, s.At(13), 12);
        Assert.Equal(0.1, s.At(50), 12);
    }

    [Fact]
    public void Clipping_scales_to_the_global_norm_and_leaves_small_gradients_alone()
    {
        var a = Param([0, 0], [3, 0]);
        var b = Param([0], [4]);
        Assert.Equal(5, GradientClipping.ClipGlobalNorm([a, b], 1.0), 12);
        Assert.Equal(1, GradientClipping.GlobalNorm([a, b]), 12);
        Assert.Equal(0.6, a.Grad![0], 12);
        Assert.Equal(1, GradientClipping.ClipGlobalNorm([a, b], 2.0), 12);
        Assert.Equal(0.8, b.Grad![0], 12);
    }

    [Fact]
    public void Accumulated_micro_batches_give_the_gradient_of_the_whole_batch()
    {
        var config = ModelGradientTests.TinyConfig();
        var rng = new Random(5);
        TrainingExample Ex(int len) => TrainingExample.AllTokens(Enumerable.Range(0, len).Select(_ => rng.Next(23)).ToArray());
        var examples = new[] { Ex(7), Ex(4), Ex(9) };

        var whole = TrainingModel<double>.CreateRandom(config, 8);
        whole.ZeroGrad();
        double lossWhole = Trainer<double>.AccumulateGradients(whole, [TokenBatch.From(examples)], out _, out _);

        var parts = TrainingModel<double>.CreateRandom(config, 8);
        parts.ZeroGrad();
        double lossParts = Trainer<double>.AccumulateGradients(parts, [TokenBatch.From(examples[..1]), TokenBatch.From(examples[1..])], out _, out int kept);

        Assert.Equal(6 + 3 + 8, kept);
        Assert.Equal(lossWhole, lossParts, 12);
        var pw = whole.TrainableParameters;
        var pp = parts.TrainableParameters;
        for (int k = 0; k < pw.Count; k++)
            for (int i = 0; i < pw[k].Grad!.Length; i++)
                Assert.Equal(pw[k].Grad![i], pp[k].Grad![i], 12);
    }
}
