// The fine-tuning loop: epochs over shuffled examples, micro-batches accumulated into optimizer steps, the schedule
// sized to the run, progress reported after every step; optionally a validation set, metrics (JSONL + SVG chart)
// and checkpoints to resume from. Each epoch's order and each step's dropout masks are functions of the seed and the
// epoch or step, so a resumed run continues exactly where the checkpoint left off.
using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Weft.Training.Modeling;
using Weft.Training.Optimization;
using Weft.Training.Pretraining;

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

/// <summary>What a run keeps beside its result: all optional.</summary>
public sealed record FineTuneRecords
{
    /// <summary>Held-out examples: their mean loss is measured every <see cref="EvalEvery"/> steps and at the end.</summary>
    public IReadOnlyList<TrainingExample> Validation { get; init; } = [];
    /// <summary>0: at the end of every epoch.</summary>
    public int EvalEvery { get; init; }
    /// <summary>metrics JSONL; the loss chart goes beside it with the extension .svg.</summary>
    public string? MetricsPath { get; init; }
    public string? CheckpointPath { get; init; }
    public int CheckpointEvery { get; init; } = 50;
    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }
}

/// <param name="TokensPerSecond">tokens (inputs, not only loss tokens) processed per second so far.</param>
public readonly record struct FineTuneProgress(int Step, int TotalSteps, int Epoch, double Loss, double GradNorm, double LearningRate,
    double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining, double? ValidationLoss = null);

public static class FineTuner
{
    public static int StepsPerEpoch(int examples, FineTuneOptions o) =>
        (examples + o.BatchSize * o.AccumulationSteps - 1) / (o.BatchSize * o.AccumulationSteps);

    /// <summary>Trains <paramref name="model"/> in place; returns the result of every step this call made.</summary>
    public static List<StepResult> Run<T>(TrainingModel<T> model, IReadOnlyList<TrainingExample> examples, FineTuneOptions o,
        Action<FineTuneProgress>? progress = null, FineTuneRecords? records = null, CancellationToken cancel = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (examples.Count == 0) throw new ArgumentException("no training examples");
        if (o.Epochs < 1 || o.BatchSize < 1 || o.AccumulationSteps < 1) throw new ArgumentException("epochs, batch size and accumulation steps must be at least 1");
        records ??= new FineTuneRecords();
        int perEpoch = StepsPerEpoch(examples.Count, o), total = perEpoch * o.Epochs;
        int evalEvery = records.EvalEvery > 0 ? records.EvalEvery : perEpoch;
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(total * o.WarmupShare), total, o.LearningRate * o.MinimumShare);
        var trainer = new Trainer<T>(model, new TrainerOptions
        {
            Schedule = schedule,
            ClipNorm = o.ClipNorm,
            AdamW = new AdamWOptions { WeightDecay = o.WeightDecay },
        });
        string fingerprint = Fingerprint(model, examples, o);
        int start = 0;
        var rows = new List<MetricsRow>(); // every step's metrics so far, for the chart
        if (records.CheckpointPath != null && records.Resume && File.Exists(records.CheckpointPath))
        {
            start = TrainingCheckpoint.Load(records.CheckpointPath, trainer.Optimizer, fingerprint);
            if (records.MetricsPath != null) rows = MetricsLog.TruncateAfter(records.MetricsPath, start);
        }
        else if (records.MetricsPath != null) File.Delete(records.MetricsPath);

        var results = new List<StepResult>();
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        using var metrics = records.MetricsPath != null ? new StreamWriter(records.MetricsPath, append: true) : null;
        TrainingExample[] order = [];
        int orderEpoch = 0;
        for (int step = start; step < total; step++)
        {
            cancel.ThrowIfCancellationRequested();
            int epoch = step / perEpoch + 1, s = step % perEpoch;
            if (orderEpoch != epoch)
            {
                order = examples.ToArray();
                new Random(HashCode.Combine(o.Seed, epoch)).Shuffle(order);
                orderEpoch = epoch;
            }
            var micro = new List<TokenBatch>();
            for (int a = 0; a < o.AccumulationSteps; a++)
            {
                int first = (s * o.AccumulationSteps + a) * o.BatchSize;
                if (first >= order.Length) break;
                micro.Add(TokenBatch.From(order.Skip(first).Take(o.BatchSize)));
            }
            model.SeedDropout(HashCode.Combine(o.Seed, step, 0x5eed));
            var r = trainer.TrainStep(micro);
            results.Add(r);
            tokens += r.Tokens;
            bool last = step + 1 == total;
            double? val = records.Validation.Count > 0 && ((step + 1) % evalEvery == 0 || last) ? model.MeanLoss(records.Validation, o.BatchSize) : null;
            var elapsed = clock.Elapsed;
            double perSecond = tokens / Math.Max(elapsed.TotalSeconds, 1e-9);
            if (metrics != null)
            {
                var row = new MetricsRow
                {
                    Step = step + 1, Loss = r.Loss, ValidationLoss = val, LearningRate = r.LearningRate, GradNorm = r.GradNorm,
                    TokensPerSecond = Math.Round(perSecond, 1), ElapsedSeconds = Math.Round(elapsed.TotalSeconds, 1),
                };
                metrics.WriteLine(MetricsLog.Format(row));
                rows.Add(row);
            }
            if (records.CheckpointPath != null && ((step + 1) % records.CheckpointEvery == 0 || last))
            {
                metrics?.Flush();
                TrainingCheckpoint.Save(records.CheckpointPath, trainer.Optimizer, step + 1, fingerprint);
            }
            progress?.Invoke(new FineTuneProgress(step + 1, total, epoch, r.Loss, r.GradNorm, r.LearningRate, perSecond, elapsed,
                TimeSpan.FromSeconds(elapsed.TotalSeconds / results.Count * (total - step - 1)), val));
        }
        if (metrics != null)
        {
            metrics.Flush();
            string chart = Path.ChangeExtension(records.MetricsPath!, ".svg");
            File.WriteAllText(chart + ".tmp", LossChart.Render(rows, "fine-tuning loss per token"));
            File.Move(chart + ".tmp", chart, overwrite: true);
        }
        return results;
    }

    /// <summary>Splits off every k-th example (k from <paramref name="share"/>) as validation; both parts keep their order.</summary>
    public static (List<TrainingExample> Train, List<TrainingExample> Validation) Split(IReadOnlyList<TrainingExample> examples, double share)
    {
        if (share <= 0 || examples.Count < 2) return (examples.ToList(), []);
        if (share >= 1) throw new ArgumentException("the validation share must be below 1");
        int every = Math.Max(2, (int)Math.Round(1 / share));
        var train = new List<TrainingExample>();
        var validation = new List<TrainingExample>();
        for (int i = 0; i < examples.Count; i++) ((i + 1) % every == 0 ? validation : train).Add(examples[i]);
        return (train, validation);
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

    private static string Fingerprint<T>(TrainingModel<T> model, IReadOnlyList<TrainingExample> examples, FineTuneOptions o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var text = new StringBuilder(o.ToString());
        foreach (var p in model.TrainableParameters) text.Append(';').Append(p.Name).Append(':').Append(p.Value.Length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        foreach (var e in examples)
        {
            foreach (int t in e.Tokens) hash.AppendData(BitConverter.GetBytes(t));
            foreach (bool m in e.LossMask) hash.AppendData([(byte)(m ? 1 : 0)]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
