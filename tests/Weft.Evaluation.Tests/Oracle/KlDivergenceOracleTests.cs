// KL divergence statistics agree with ones computed here from llama.cpp's logits of the same chunks (a Q4_0 model
// quantized by llama.cpp against its F32 base).
using Weft.Evaluation.Models;
using Weft.Evaluation.Scoring;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Evaluation.Tests.Oracle;

public sealed class KlDivergenceOracleTests(ITestOutputHelper output)
{
    private static double[] LogSoftmax(ReadOnlySpan<float> row)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        var lp = new double[row.Length];
        for (int i = 0; i < row.Length; i++) lp[i] = row[i] - max - Math.Log(sum);
        return lp;
    }

    [Fact]
    public void Statistics_agree_with_llama_cpp_logits()
    {
        string f32 = EvalFixtures.Model("llama");
        string q4 = QuantizedModels.ByOracle(f32, "Q4_0", pure: true);
        const int ctx = 64, limit = 3;
        string text = EvalFixtures.EnglishText(12);
        using var model = new LocalEvalModel(q4, threads: 2);
        using var baseModel = new LocalEvalModel(f32, threads: 2);
        var ours = KlDivergence.Run(model, baseModel, text, ctx, limit, null, default);

        var chunks = Perplexity.Chunks(baseModel, baseModel.Tokenize(text, addBos: true), ctx, limit);
        int vocab = model.VocabSize, first = ctx / 2;
        var kld = new List<double>();
        int same = 0;
        double nllM = 0, nllB = 0;
        foreach (var chunk in chunks)
        {
            var lb = TestKit.Oracle.Logits(f32, chunk);
            var lm = TestKit.Oracle.Logits(q4, chunk);
            for (int p = first; p < ctx - 1; p++)
            {
                var b = LogSoftmax(lb.AsSpan(p * vocab, vocab));
                var q = LogSoftmax(lm.AsSpan(p * vocab, vocab));
                double d = 0;
                for (int i = 0; i < vocab; i++) d += Math.Exp(b[i]) * (b[i] - q[i]);
                kld.Add(d);
                if (Array.IndexOf(b, b.Max()) == Array.IndexOf(q, q.Max())) same++;
                nllB -= b[chunk[p + 1]];
                nllM -= q[chunk[p + 1]];
            }
        }
        double mean = kld.Average(), shareSame = (double)same / kld.Count, ratio = Math.Exp((nllM - nllB) / kld.Count);
        output.WriteLine($"KLD ours {ours["kld_mean"]:E4} theirs {mean:E4}; same top ours {ours["same_top"]:F4} theirs {shareSame:F4}; ppl ratio ours {ours["ppl_ratio"]:F6} theirs {ratio:F6}");
        Assert.Equal(kld.Count, (int)ours["tokens_scored"]);
        Assert.True(Math.Abs(ours["kld_mean"] - mean) <= 0.02 * mean + 1e-6, $"kld_mean ours {ours["kld_mean"]}, from llama.cpp {mean}");
        Assert.True(Math.Abs(ours["same_top"] - shareSame) <= 2.0 / kld.Count, $"same_top ours {ours["same_top"]}, from llama.cpp {shareSame}");
        Assert.True(Math.Abs(ours["ppl_ratio"] - ratio) <= 1e-3 * ratio, $"ppl_ratio ours {ours["ppl_ratio"]}, from llama.cpp {ratio}");
        Assert.True(ours["kld_mean"] > 0);
    }

    [Fact]
    public void A_base_with_another_vocabulary_is_refused()
    {
        using var a = new LocalEvalModel(EvalFixtures.Model("llama"), threads: 1);
        using var b = new LocalEvalModel(EvalFixtures.LlamaVocabModel(), threads: 1);
        var e = Assert.Throws<ArgumentException>(() => KlDivergence.Run(a, b, EvalFixtures.EnglishText(12), 64, 1, null, default));
        Assert.Contains("vocabulary", e.Message);
    }
}
