// Per-item log-likelihoods and greedy flags agree with an independent computation from llama.cpp's logits: the
// pair's tokens (lm-evaluation-harness's split), llama.cpp's logits of the whole sequence, log-softmax in double at
// the continuation's positions. The requests go through the batched path (prefix reuse, packed passes).
using Weft.Evaluation.Data;
using Weft.Evaluation.Models;
using Weft.Evaluation.Tasks;
using Weft.Evaluation.Scoring;
using Xunit.Abstractions;

namespace Weft.Evaluation.Tests.Oracle;

public sealed class LoglikelihoodOracleTests(ITestOutputHelper output)
{
    private static double LogProb(ReadOnlySpan<float> row, int token)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return row[token] - max - Math.Log(sum);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("falcon")]
    [InlineData("gemma2")]
    public void Piqa_pairs_agree_with_llama_cpp_logits(string family) => Check(EvalFixtures.Model(family));

    [Fact]
    public void Piqa_pairs_agree_with_llama_cpp_logits_and_tokens_with_a_real_vocabulary()
    {
        string model = EvalFixtures.LlamaVocabModel();
        using var m = new LocalEvalModel(model, threads: 2);
        // The split's tokens are llama.cpp's tokens of context + continuation (BOS first).
        var r = new LoglikelihoodRequest("Question: how do you boil an egg?\nAnswer:", " Put it in boiling water.");
        var split = m.Split(r);
        var (exit, stdout, stderr) = TestKit.Oracle.Run("tokenize", model, r.Context + r.Continuation, "--bos");
        Assert.True(exit == 0, stderr);
        var theirs = stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        Assert.Equal(theirs, split.Tokens);
        Check(model);
    }

    private void Check(string model)
    {
        var task = BuiltinTasks.Resolve("piqa");
        var docs = TaskData.Load(task, EvalFixtures.EvalData("piqa_valid.jsonl.gz"), []);
        var templates = new DocTemplates(task);
        var requests = new List<LoglikelihoodRequest>();
        for (int i = 0; i < 6; i++)
            foreach (var c in templates.Choices(docs[i])) requests.Add(new LoglikelihoodRequest(templates.Text(docs[i]), task.TargetDelimiter + c));

        using var m = new LocalEvalModel(model, threads: 2);
        var ours = m.Loglikelihood(requests);
        int vocab = m.VocabSize;
        double worst = 0;
        for (int k = 0; k < requests.Count; k++)
        {
            var t = m.Split(requests[k]);
            var logits = TestKit.Oracle.Logits(model, t.Tokens);
            double sum = 0;
            bool greedy = true;
            for (int p = t.Prefix; p < t.Tokens.Length; p++)
            {
                var row = logits.AsSpan((p - 1) * vocab, vocab);
                sum += LogProb(row, t.Tokens[p]);
                if (ArgMax(row) != t.Tokens[p]) greedy = false;
            }
            worst = Math.Max(worst, Math.Abs(sum - ours[k].LogLikelihood));
            Assert.Equal(t.Scored, ours[k].Tokens);
            Assert.True(Math.Abs(sum - ours[k].LogLikelihood) <= 2e-3 * Math.Max(1, t.Scored), $"request {k}: ours {ours[k].LogLikelihood}, llama.cpp {sum}");
            Assert.Equal(greedy, ours[k].IsGreedy);
        }
        output.WriteLine($"{Path.GetFileName(model)}: {requests.Count} pairs, largest |Δll| {worst:E2}");
    }
}
