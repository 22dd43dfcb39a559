// Fine-tuning keeps records: validation loss and metrics (JSONL + SVG) as it goes, and checkpoints from which an
// interrupted run resumes to the same bits (dropout included).
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.FineTuning;
using Weft.Training.Modeling;
using Weft.Training.Optimization;
using Weft.Training.Pretraining;

namespace Weft.Training.Tests;

public sealed class FineTuneRecordsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-finetune-records-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SyntheticModelSpec Spec = new() { Name = "records", Embedding = 32, Heads = 4, KvHeads = 2, FeedForward = 64, Vocab = 300, Seed = 4 };
    private static readonly FineTuneOptions Options = new() { Epochs = 3, BatchSize = 2, LearningRate = 1e-2, Seed = 9 };

    private static List<TrainingExample> Examples(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var t = Enumerable.Range(0, 6 + rng.Next(5)).Select(_ => rng.Next(3, 300)).ToArray();
            var mask = t.Select((_, i) => i >= 3).ToArray();
            return new TrainingExample(t, mask);
        }).ToList();
    }

    private (TrainingModel<float> Model, List<StepResult> Steps) Run(Model m, FineTuneRecords records, Func<FineTuneProgress, bool>? stop = null)
    {
        var model = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.2f, Targets = LoraOptions.ParseTargets("q,v,down") });
        using var cancel = new CancellationTokenSource();
        var steps = FineTuner.Run(model, Examples(10, 1), Options, p => { if (stop?.Invoke(p) == true) cancel.Cancel(); }, records, cancel.Token);
        return (model, steps);
    }

    [Fact]
    public void An_interrupted_run_resumes_to_the_same_adapter_and_metrics()
    {
        using var m = Model.Load(TinyModels.Write(Spec));
        var validation = Examples(3, 2);
        FineTuneRecords Records(string name) => new()
        {
            Validation = validation, EvalEvery = 2, CheckpointEvery = 3,
            MetricsPath = Path.Combine(_dir, name + ".metrics.jsonl"), CheckpointPath = Path.Combine(_dir, name + ".checkpoint"),
        };
        var (straight, all) = Run(m, Records("straight"));
        Assert.Equal(15, all.Count); // 10 examples / 2 per step × 3 epochs

        Assert.Throws<OperationCanceledException>(() => Run(m, Records("resumed"), p => p.Step == 8));
        var (resumed, rest) = Run(m, Records("resumed") with { Resume = true });
        Assert.Equal(9, rest.Count); // the checkpoint held step 6
        Assert.Equal(all[^1].Loss, rest[^1].Loss);
        foreach (var (a, b) in straight.LoraFactors.Zip(resumed.LoraFactors))
        {
            Assert.Equal(a.A.Value, b.A.Value);
            Assert.Equal(a.B.Value, b.B.Value);
        }

        var rowsA = MetricsLog.Read(Path.Combine(_dir, "straight.metrics.jsonl"));
        var rowsB = MetricsLog.Read(Path.Combine(_dir, "resumed.metrics.jsonl"));
        Assert.Equal(Enumerable.Range(1, 15), rowsB.Select(r => r.Step));
        Assert.Equal(rowsA.Select(r => (r.Loss, r.ValidationLoss)), rowsB.Select(r => (r.Loss, r.ValidationLoss)));
        Assert.Equal([2, 4, 6, 8, 10, 12, 14, 15], rowsA.Where(r => r.ValidationLoss.HasValue).Select(r => r.Step));
        Assert.Contains("<polyline", File.ReadAllText(Path.Combine(_dir, "straight.metrics.svg")));
    }

    [Fact]
    public void Split_holds_out_every_kth_example()
    {
        var examples = Examples(20, 3);
        var (train, validation) = FineTuner.Split(examples, 0.1);
        Assert.Equal(18, train.Count);
        Assert.Equal([examples[9], examples[19]], validation);
        Assert.Equal(20, FineTuner.Split(examples, 0).Train.Count);
    }
}
