// Training data: prompt/completion rows and their loss masks, plain text windows, malformed rows.
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Tokenizers;
using Weft.Training.Data;

namespace Weft.Training.Tests;

public sealed class DataTests
{
    private static Tokenizer Tokenizer()
    {
        using var m = Model.Load(TinyModels.Write(EngineAgreementTests.Spec));
        return m.Tokenizer;
    }

    [Fact]
    public void Prompt_completion_rows_count_only_the_completion_and_eos()
    {
        var tok = Tokenizer();
        var rows = TrainingData.ReadJsonl(new StringReader("{\"prompt\": \"a b\", \"completion\": \"c\"}\n\n{\"text\": \"d e\"}\n"), tok, 64);
        Assert.Equal(2, rows.Count);
        var p = tok.Encode("a b", addSpecial: true, parseSpecial: false);
        var c = tok.Encode("c", addSpecial: false, parseSpecial: false);
        Assert.Equal([.. p, .. c, tok.Eos], rows[0].Tokens);
        Assert.Equal(Enumerable.Range(0, rows[0].Tokens.Length).Select(i => i >= p.Length), rows[0].LossMask);
        Assert.Equal(tok.Encode("d e", addSpecial: true, parseSpecial: false), rows[1].Tokens);
        Assert.Equal(Enumerable.Range(0, rows[1].Tokens.Length).Select(i => i > 0), rows[1].LossMask);
    }

    [Theory]
    [InlineData("{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": \"a\", \"completion\": \"b\"\n", 2, "not valid JSON")]
    [InlineData("\n\n[1, 2]\n", 3, "expected a JSON object")]
    [InlineData("{\"prompt\": \"a\"}\n", 1, "needs both")]
    [InlineData("{\"prompt\": \"a\", \"completion\": 5}\n", 1, "must be a string")]
    [InlineData("{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"question\": \"x\"}\n", 2, "expected \"messages\", \"prompt\" and \"completion\", or \"text\"")]
    public void Malformed_rows_are_reported_with_their_line(string jsonl, int line, string message)
    {
        var tok = Tokenizer();
        var e = Assert.Throws<TrainingDataException>(() => TrainingData.ReadJsonl(new StringReader(jsonl), tok, 64, "train.jsonl"));
        Assert.StartsWith($"train.jsonl:{line}: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_prompt_that_fills_the_window_leaves_nothing_to_learn()
    {
        var tok = Tokenizer();
        string prompt = string.Join(' ', Enumerable.Repeat("a", 80));
        var e = Assert.Throws<TrainingDataException>(() =>
            TrainingData.ReadJsonl(new StringReader($"{{\"prompt\": \"b\", \"completion\": \"c\"}}\n{{\"prompt\": \"{prompt}\", \"completion\": \"c\"}}"), tok, 64, "t.jsonl"));
        Assert.StartsWith("t.jsonl:2: nothing to learn", e.Message);
    }

    [Fact]
    public void Plain_text_windows_predict_every_token_once()
    {
        var tok = Tokenizer();
        string text = string.Join(' ', Enumerable.Range(0, 40).Select(i => ((char)('a' + i % 26)).ToString()));
        var ids = tok.Encode(text, addSpecial: true, parseSpecial: false);
        var windows = TrainingData.ReadText(text, tok, 8);
        Assert.All(windows, w => Assert.True(w.Tokens.Length <= 8));
        // the targets of all windows together are exactly ids[1..]
        var targets = windows.SelectMany(w => w.Tokens.Where((_, i) => w.LossMask[i])).ToArray();
        Assert.Equal(ids[1..], targets);
    }
}
