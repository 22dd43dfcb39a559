// Perplexity equals llama.cpp's (refharness perplexity, llama-perplexity's method) on the same file and context, for
// every family, and with a real vocabulary.
using System.Text.Json;
using Weft.Evaluation.Models;
using Weft.Evaluation.Scoring;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Evaluation.Tests.Oracle;

public sealed class PerplexityOracleTests(ITestOutputHelper output)
{
    public static TheoryData<string> FamilyNames() => new(EvalFixtures.Families.Keys);

    [Theory]
    [MemberData(nameof(FamilyNames))]
    public void Perplexity_equals_llama_cpp(string family) => Check(EvalFixtures.Model(family), 64, 6);

    [Fact]
    public void Perplexity_equals_llama_cpp_with_a_real_vocabulary() => Check(EvalFixtures.LlamaVocabModel(), 96, null);

    private void Check(string model, int ctx, int? chunks)
    {
        string text = EvalFixtures.EnglishText(chunks == null ? 40 : 12);
        string file = EvalFixtures.WriteText(text);
        var args = new List<string> { "perplexity", model, "--file", file, "--ctx", ctx.ToString() };
        if (chunks is int c) args.AddRange(["--chunks", c.ToString()]);
        var (exit, stdout, stderr) = TestKit.Oracle.Run([.. args]);
        Assert.True(exit == 0, stderr);
        using var theirs = JsonDocument.Parse(stdout);
        double expected = theirs.RootElement.GetProperty("ppl").GetDouble();
        int expectedChunks = theirs.RootElement.GetProperty("chunks").GetInt32();

        using var m = new LocalEvalModel(model, threads: 2);
        var ours = Perplexity.Run(m, File.ReadAllText(file), ctx, chunks, null, default);
        double rel = Math.Abs(ours["ppl"] - expected) / expected;
        output.WriteLine($"{Path.GetFileName(model)} ctx {ctx}: ours {ours["ppl"]:R} ({ours["chunks"]} chunks), llama.cpp {expected:R} ({expectedChunks} chunks), relative difference {rel:E2}");
        Assert.Equal(expectedChunks, (int)ours["chunks"]);
        Assert.Equal(theirs.RootElement.GetProperty("tokens_scored").GetInt32(), (int)ours["tokens_scored"]);
        Assert.True(rel <= 1e-3, $"relative difference {rel:E2} > 0.1 %");
        if (theirs.RootElement.TryGetProperty("ppl_err", out var err) && err.ValueKind == JsonValueKind.Number)
            Assert.True(Math.Abs(ours["ppl_stderr"] - err.GetDouble()) <= 1e-2 * Math.Max(1e-9, err.GetDouble()) + 1e-9,
                $"stderr ours {ours["ppl_stderr"]}, llama.cpp {err.GetDouble()}");
    }
}
