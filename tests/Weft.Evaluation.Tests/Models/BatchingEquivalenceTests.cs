// Prefix reuse and packed passes change nothing: the batched scores equal scoring each pair alone in one slot.
using Weft.Evaluation.Models;

namespace Weft.Evaluation.Tests.Models;

public sealed class BatchingEquivalenceTests
{
    [Theory]
    [InlineData("llama")]
    [InlineData("mixtral")]
    [InlineData("olmo2")]
    public void Batched_scores_equal_one_by_one_scores(string family)
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        string model = EvalFixtures.Model(family);
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "while", "dogs", "ran", "far", "away", "today"];
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
        var requests = new List<LoglikelihoodRequest>();
        for (int i = 0; i < 9; i++)
        {
            string context = Words(3 + rng.Next(40));
            for (int c = 0; c < 1 + rng.Next(4); c++) requests.Add(new LoglikelihoodRequest(context, " " + Words(1 + rng.Next(8))));
        }
        requests.Add(new LoglikelihoodRequest("", Words(5)));
        using var batched = new LocalEvalModel(model, threads: 2, slots: 8);
        using var alone = new LocalEvalModel(model, threads: 1, slots: 1);
        var a = batched.Loglikelihood(requests);
        var b = alone.Loglikelihood(requests.Select(r => r).ToList()).ToArray();
        var single = requests.Select(r => alone.Loglikelihood([r])[0]).ToArray();
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.True(Math.Abs(a[i].LogLikelihood - single[i].LogLikelihood) < 1e-4, $"seed {seed}, request {i}: {a[i].LogLikelihood} vs {single[i].LogLikelihood}");
            Assert.Equal(single[i].Tokens, a[i].Tokens);
            Assert.Equal(single[i].IsGreedy, a[i].IsGreedy);
            Assert.True(Math.Abs(b[i].LogLikelihood - single[i].LogLikelihood) < 1e-4, $"seed {seed}, request {i} (one slot)");
        }
    }

    [Fact]
    public void Rolling_loglikelihood_covers_every_token_once()
    {
        using var m = new LocalEvalModel(EvalFixtures.Model("llama"), threads: 2, window: 32);
        string text = EvalFixtures.EnglishText(3);
        var r = m.LoglikelihoodRolling([text])[0];
        Assert.Equal(m.Tokenize(text, addBos: false).Length, r.Tokens);
        Assert.True(r.LogLikelihood < 0);
    }
}
