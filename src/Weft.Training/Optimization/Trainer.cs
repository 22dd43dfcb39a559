// One optimizer step over one or more micro-batches: gradients accumulate, weighted by each micro-batch's share of
// the loss tokens (so the step equals one over the whole batch), are clipped by global norm, then AdamW updates.
using System.Numerics;
using Weft.Training.Modeling;

namespace Weft.Training.Optimization;

public sealed record TrainerOptions
{
    public AdamWOptions AdamW { get; init; } = new();
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant(1e-3);
    /// <summary>Global gradient-norm limit; 0 turns clipping off.</summary>
    public double ClipNorm { get; init; } = 1.0;
}

/// <param name="Loss">mean masked loss over the step's micro-batches (before the update).</param>
/// <param name="GradNorm">global gradient norm before clipping.</param>
public readonly record struct StepResult(int Step, double Loss, double GradNorm, double LearningRate, int Tokens, int LossTokens);

public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<Parameter<T>> _trainable;

    public TrainingModel<T> Model { get; }
    public TrainerOptions Options { get; }
    public AdamW<T> Optimizer { get; }
    public int Step => Optimizer.Steps;

    public Trainer(TrainingModel<T> model, TrainerOptions? options = null)
    {
        Model = model;
        Options = options ?? new TrainerOptions();
        _trainable = model.TrainableParameters;
        if (_trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters");
        Optimizer = new AdamW<T>(_trainable, Options.AdamW);
    }

    /// <summary>Accumulates the gradients of <paramref name="microBatches"/> and makes one update.</summary>
    public StepResult TrainStep(IReadOnlyList<TokenBatch> microBatches)
    {
        Model.ZeroGrad();
        double loss = AccumulateGradients(Model, microBatches, out int tokens, out int lossTokens);
        double norm = GradientClipping.ClipGlobalNorm(_trainable, Options.ClipNorm);
        double lr = Options.Schedule.At(Optimizer.Steps);
        if (lossTokens > 0) Optimizer.Update(lr);
        return new StepResult(Optimizer.Steps, loss, norm, lr, tokens, lossTokens);
    }

    public StepResult TrainStep(TokenBatch batch) => TrainStep([batch]);

    /// <summary>Adds the gradient of the token-mean loss over all micro-batches; returns that loss.</summary>
    public static double AccumulateGradients(TrainingModel<T> model, IReadOnlyList<TokenBatch> microBatches, out int tokens, out int lossTokens)
    {
        int total = microBatches.Sum(b => b.LossTokens);
        tokens = microBatches.Sum(b => b.Count);
        lossTokens = total;
        if (total == 0) return 0;
        double loss = 0;
        foreach (var b in microBatches)
        {
            int kept = b.LossTokens;
            if (kept == 0) continue;
            double share = (double)kept / total;
            loss += share * model.ForwardBackward(b, share);
        }
        return loss;
    }
}
