// `weft run`: greedy generations agree with llama.cpp's (except at its own near ties), sampling is seeded,
// and usage mistakes are user errors.
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Cli.Tests;

public class RunVerbTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() => new() { "mha", "gqa-real-vocab", "experts" };

    private static SyntheticModelSpec Spec(string name) => name switch
    {
        "mha" => new() { Name = "run-mha", Embedding = 128, Heads = 4, KvHeads = 4, Layers = 2, FeedForward = 256, Seed = 61 },
        "gqa-real-vocab" => new SyntheticModelSpec { Name = "run-gqa", Embedding = 256, Heads = 8, KvHeads = 2, Layers = 2, FeedForward = 512, Seed = 62 }.WithLlamaVocabulary(),
        _ => new() { Name = "run-moe", Embedding = 128, Heads = 4, KvHeads = 1, Layers = 2, FeedForward = 192, Experts = 4, ExpertsUsed = 2, Seed = 63 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GreedyIdsAgreeWithTheOracleExceptAtTies(string name)
    {
        var spec = Spec(name);
        string path = TinyModels.Write(spec);
        var prompt = TinyModels.RandomPrompt(spec.VocabSize, 12, 7);
        const int n = 40;
        var r = WeftProcess.Run("run", path, "--prompt-ids", string.Join(',', prompt), "-n", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "--temp", "0", "--ids");
        Assert.True(r.Exit == 0, r.Stderr);
        var ours = r.Stdout.Trim().Split(',').Select(int.Parse).ToArray();
        var (theirs, stepLogits) = Oracle.Generate(path, prompt, n);
        Assert.Equal(n, ours.Length);
        int vocab = spec.VocabSize;
        for (int i = 0; i < n; i++)
        {
            if (ours[i] == theirs[i]) continue;
            float gap = LogitMetrics.Top2Gap(stepLogits.AsSpan(i * vocab, vocab));
            output.WriteLine($"{name}: first difference at step {i}, oracle top-2 gap {gap}");
            Assert.True(gap < Tolerances.GreedyTieGap, $"step {i}: ours {ours[i]}, oracle {theirs[i]}, gap {gap} is not a tie");
            return;
        }
        output.WriteLine($"{name}: all {n} tokens agree");
    }

    [Fact]
    public void SameSeedSameTokensDifferentSeedDifferentTokens()
    {
        string path = TinyModels.Write(Spec("mha"));
        string[] Args(string seed) => ["run", path, "--prompt-ids", "1,300,301", "-n", "24", "--temp", "1.5", "--top-k", "0", "--top-p", "1", "--min-p", "0", "--seed", seed, "--ids"];
        var a = WeftProcess.Run(Args("42"));
        var b = WeftProcess.Run(Args("42"));
        var c = WeftProcess.Run(Args("43"));
        Assert.Equal(0, a.Exit);
        Assert.Equal(a.Stdout, b.Stdout);
        Assert.NotEqual(a.Stdout, c.Stdout);
    }

    [Fact]
    public void TextPromptStreamsText()
    {
        string path = TinyModels.Write(Spec("gqa-real-vocab"));
        var r = WeftProcess.Run("run", path, "--prompt", "Once upon a time", "-n", "8", "--temp", "0");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.False(string.IsNullOrWhiteSpace(r.Stdout));
        Assert.Contains("8 generated", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PromptLongerThanTheContextIsAUserError()
    {
        string path = TinyModels.Write(Spec("mha"));
        var ids = string.Join(',', Enumerable.Range(300, 40));
        WeftProcess.AssertUserError(WeftProcess.Run("run", path, "--prompt-ids", ids, "--ctx", "16", "--ids"), "context holds 16");
    }

    [Fact]
    public void BothPromptKindsIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.Run("run", TinyModels.Write(Spec("mha")), "--prompt", "x", "--prompt-ids", "1"), "exactly one of");
}
