// LoRA fine-tuning measurably learns: a frozen random base learns made-up word pairs from JSONL rows.
using System.Diagnostics;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.Data;
using Weft.Training.FineTuning;
using Weft.Training.Modeling;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class FineTuneLearningTests(ITestOutputHelper output)
{
    /// <summary>Mean completion loss the run must end below (a uniform guess over the 320 tokens is ln 320 ≈ 5.8).</summary>
    private const double LossThreshold = 0.05;

    private static readonly (string Prompt, string Completion)[] Pairs =
    [
        ("blick", "zorp"), ("fenta", "quib"), ("moxal", "trang"), ("sprew", "dulk"),
        ("vorn", "plessa"), ("grindle", "yop"), ("kastor", "wemble"), ("thuv", "ninx"),
    ];

    [Fact]
    public void A_lora_learns_made_up_word_pairs()
    {
        var clock = Stopwatch.StartNew();
        string path = TinyModels.Write(new SyntheticModelSpec { Name = "train-learn", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 128, Vocab = 320, Seed = 21 });
        using var m = Model.Load(path);
        string jsonl = string.Join('\n', Pairs.Select(p => $"{{\"prompt\": \"{p.Prompt} ->\", \"completion\": \"{p.Completion}\"}}"));
        var examples = TrainingData.ReadJsonl(new StringReader(jsonl), m.Tokenizer, 64);
        var model = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = 16, Alpha = 32, Targets = LoraOptions.ParseTargets("all") }, pool: null);   // too small for threads to pay

        var steps = FineTuner.Run(model, examples, new FineTuneOptions { Epochs = 30, BatchSize = 8, LearningRate = 1e-2 },
            p => { if (p.Step % 10 == 0) output.WriteLine($"step {p.Step}/{p.TotalSteps}: loss {p.Loss:F4}, {p.TokensPerSecond:F0} tok/s"); });

        double final = model.Loss(Data.TokenBatchOf(examples));
        output.WriteLine($"first loss {steps[0].Loss:F3}, final loss {final:F4}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(final < LossThreshold, $"final loss {final:F4}");
        int eos = m.Tokenizer.Eos;
        foreach (var e in examples)
        {
            int promptLength = Array.IndexOf(e.LossMask, true);
            var answer = FineTuner.Greedy(model, e.Tokens[..promptLength], e.Tokens.Length - promptLength + 2, eos);
            Assert.Equal(e.Tokens[promptLength..], answer);
        }
    }
}

internal static class Data
{
    public static TokenBatch TokenBatchOf(IEnumerable<TrainingExample> examples) => TokenBatch.From(examples);
}
