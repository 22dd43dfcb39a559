// Fine-tuning generalizes, not only memorizes: a LoRA over a frozen random base learns to repeat the word before an
// arrow ("w ->" answers "w"), trained on some words and judged on words it never saw.
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.FineTuning;
using Weft.Training.Modeling;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class FineTuneHeldOutTests(ITestOutputHelper output)
{
    /// <summary>Mean loss per answer token on the held-out words the run must end below (uniform: ln 1024 ≈ 6.9).</summary>
    private const double HeldOutLossThreshold = 0.5;
    /// <summary>Share of held-out words the model must repeat exactly (greedy).</summary>
    private const double HeldOutAccuracy = 0.8;

    [Fact]
    public void A_lora_learns_to_repeat_words_it_never_saw()
    {
        string path = TinyModels.Write(new SyntheticModelSpec { Name = "train-copy", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 128, Vocab = 1024, TiedOutput = true, Seed = 31 });
        using var m = Model.Load(path);
        int bos = m.Tokenizer.Bos, eos = m.Tokenizer.Eos, arrow = 1023;
        var words = Enumerable.Range(259, 1023 - 259).ToArray();
        int seed = Environment.TickCount;
        output.WriteLine($"word split seed {seed}");
        new Random(seed).Shuffle(words);
        TrainingExample Example(int w) => new([bos, w, arrow, w, eos], [false, false, false, true, true]);
        var heldOut = words[..40].Select(Example).ToList();
        var train = words[40..].Select(Example).ToList();

        var model = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = 32, Alpha = 32, Targets = LoraOptions.ParseTargets("q,k,v,o") });
        FineTuner.Run(model, train, new FineTuneOptions { Epochs = 10, BatchSize = 16, LearningRate = 1e-2, Seed = 3 },
            p => { if (p.Step % 50 == 0) output.WriteLine($"step {p.Step}/{p.TotalSteps}: loss {p.Loss:F4}"); });

        double loss = model.MeanLoss(heldOut);
        int right = heldOut.Count(e => FineTuner.Greedy(model, e.Tokens[..3], 2, eos).AsSpan().SequenceEqual(e.Tokens.AsSpan(3)));
        output.WriteLine($"held-out loss {loss:F4}, {right}/{heldOut.Count} repeated exactly ");
        Assert.True(loss < HeldOutLossThreshold, $"held-out loss {loss:F4}");
        Assert.True(right >= HeldOutAccuracy * heldOut.Count, $"{right}/{heldOut.Count} held-out words repeated");
    }
}
