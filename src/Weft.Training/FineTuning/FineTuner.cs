// The fine-tuning loop: epochs over shuffled examples, micro-batches accumulated into optimizer steps, the schedule
// sized to the run, progress reported after every step.
using System.Diagnostics;
using System.Numerics;
using Weft.Training.Modeling;
using Weft.Training.Optimization;

namespace Weft.Training.FineTuning;

public sealed record FineTuneOptions
{
    public int Epochs { get; init; } = 1;
    /// <summary>Examples per micro-batch (one forward and backward pass).</summary>
    public int BatchSize { get; init; } = 4;
    /// <summary>Micro-batches per optimizer step.</summary>
    public int AccumulationSteps { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Share of the steps spent warming up.</summary>
    public double WarmupShare { get; init; } = 0.1;
    /// <summary>The final learning rate as a share of the peak.</summary>
    public double MinimumShare { get; init; } = 0.1;
    public double ClipNorm { get; init; } = 1.0;
    public double WeightDecay { get; init; } = 0.0;
    public int Seed { get; init; } = 1;
}

/// <param name="TokensPerSecond">tokens (inputs, not only loss tokens) processed per second so far.</param>
public readonly record struct FineTuneProgress(int Step, int TotalSteps, int Epoch, double Loss, double GradNorm, double LearningRate,
    double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

public static class FineTuner
{
    public static int StepsPerEpoch(int examples, FineTuneOptions o) =>
        (examples + o.BatchSize * o.AccumulationSteps - 1) / (o.BatchSize * o.AccumulationSteps);

    /// <summary>Trains <paramref name="model"/> in place; returns every step's result.</summary>
    public static List<StepResult> Run<T>(TrainingModel<T> model, IReadOnlyList<TrainingExample> examples, FineTuneOptions o,
        Action<FineTuneProgress>? progress = null, CancellationToken cancel = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (examples.Count == 0) throw new ArgumentException("no training examples");
        if (o.Epochs < 1 || o.BatchSize < 1 || o.AccumulationSteps < 1) throw new ArgumentException("epochs, batch size and accumulation steps must be at least 1");
        int perEpoch = StepsPerEpoch(examples.Count, o), total = perEpoch * o.Epochs;
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(total * o.WarmupShare), total, o.LearningRate * o.MinimumShare);
        var trainer = new Trainer<T>(model, new TrainerOptions
        {
            Schedule = schedule,
            ClipNorm = o.ClipNorm,
            AdamW = new AdamWOptions { WeightDecay = o.WeightDecay },
        });
        var rng = new Random(o.Seed);
        var results = new List<StepResult>();
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var order = examples.ToArray();
            rng.Shuffle(order);
            for (int s = 0; s < perEpoch; s++)
            {
                cancel.ThrowIfCancellationRequested();
                var micro = new List<TokenBatch>();
                for (int a = 0; a < o.AccumulationSteps; a++)
                {
                    int start = (s * o.AccumulationSteps + a) * o.BatchSize;
                    if (start >= order.Length) break;
                    micro.Add(TokenBatch.From(order.Skip(start).Take(o.BatchSize)));
                }
                var r = trainer.TrainStep(micro);
                results.Add(r);
                tokens += r.Tokens;
                if (progress != null)
                {
                    var elapsed = clock.Elapsed;
                    double perStep = elapsed.TotalSeconds / results.Count;
                    progress(new FineTuneProgress(results.Count, total, epoch, r.Loss, r.GradNorm, r.LearningRate,
                        tokens / Math.Max(elapsed.TotalSeconds, 1e-9), elapsed, TimeSpan.FromSeconds(perStep * (total - results.Count))));
                }
            }
        }
        return results;
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/> (recomputed in full each step; for checks on short texts).</summary>
    public static int[] Greedy<T>(TrainingModel<T> model, int[] prompt, int maxNew, int stopToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ids = prompt.ToList();
        var produced = new List<int>();
        int vocab = model.Config.VocabSize;
        for (int i = 0; i < maxNew; i++)
        {
            var logits = model.Forward(TokenBatch.ForInference(ids.ToArray()));
            int best = 0, row = (ids.Count - 1) * vocab;
            for (int v = 1; v < vocab; v++) if (logits[row + v] > logits[row + best]) best = v;
            produced.Add(best);
            if (best == stopToken) break;
            ids.Add(best);
        }
        return produced.ToArray();
    }
}
