// `weft tokenize` and `weft detokenize` agree with llama.cpp on its own vocabulary files.
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class TokenizeVerbTests
{
    private static string Vocab(string name)
    {
        Oracle.Require();
        return Path.Combine(Oracle.LlamaSource, "models", $"ggml-vocab-{name}.gguf");
    }

    [Theory]
    [InlineData("llama-spm", "Hello world, it's 2026! <s> naïve 日本語")]
    [InlineData("llama-bpe", "  spaces\tand\ntabs 12345 ÷ émoji 🦙")]
    [InlineData("falcon", "The quick brown fox, jumped.")]
    public void TextIdsMatchTheOracle(string vocab, string text)
    {
        string path = Vocab(vocab);
        var ours = WeftProcess.Run("tokenize", path, "--text", text);
        Assert.Equal(0, ours.Exit);
        var (exit, stdout, stderr) = Oracle.Run("tokenize", path, text, "--bos");
        Assert.True(exit == 0, stderr);
        var expected = stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", expected), ours.Stdout.Trim());
    }

    [Fact]
    public void JsonLinesGiveOneArrayPerLine()
    {
        string path = Vocab("llama-spm");
        string input = Path.Combine(TinyModels.Folder, $"lines-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(input, ["\"Hello\"", "\"<s>two\\nlines\"", "\"\""]);
        var r = WeftProcess.Run("tokenize", path, "--jsonl", input, "--no-bos", "--special");
        Assert.Equal(0, r.Exit);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("[15043]", lines[0]);
        Assert.StartsWith("[1,", lines[1], StringComparison.Ordinal);
        Assert.Equal("[]", lines[2]);
        File.Delete(input);
    }

    [Fact]
    public void MalformedJsonLineIsAUserError()
    {
        string input = Path.Combine(TinyModels.Folder, $"bad-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(input, ["\"ok\"", "{not json"]);
        WeftProcess.AssertUserError(WeftProcess.Run("tokenize", Vocab("llama-spm"), "--jsonl", input), ":2: not a JSON string");
        File.Delete(input);
    }

    [Fact]
    public void DetokenizeRoundTrips()
    {
        string path = Vocab("llama-spm");
        var ids = WeftProcess.Run("tokenize", path, "--text", "Round trip: ünïcödé", "--no-bos").Stdout.Trim();
        var r = WeftProcess.Run("detokenize", path, "--ids", ids);
        Assert.Equal(0, r.Exit);
        Assert.Equal("Round trip: ünïcödé", r.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void InvalidUtf8FileIsAUserErrorNamingTheOffset()
    {
        string file = Path.Combine(Path.GetTempPath(), $"weft-bad-utf8-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(file, [(byte)'o', (byte)'k', 0xC3, 0x28, (byte)'x']);
        try
        {
            WeftProcess.AssertUserError(WeftProcess.Run("tokenize", Vocab("llama-spm"), "--file", file), "is not valid UTF-8");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("llama-spm", false)]
    [InlineData("llama-bpe", false)]
    [InlineData("llama-bpe", true)]
    public void TenMegabyteLineIsTokenizedInBoundedTime(string vocab, bool oneWord)
    {
        // one 10 MB line: words and punctuation, or a single run of letters with nothing to split on;
        // the run must finish inside the time limit (linear time, not quadratic) and give as many ids as llama.cpp on a prefix predicts
        var rng = new Random(11);
        var sb = new System.Text.StringBuilder(10 << 20);
        string[] words = ["the", "model", "weights", "quantized", "naïve", "日本語", "1234", "—", "it's", "🦙"];
        while (sb.Length < 10 << 20)
        {
            if (oneWord) sb.Append((char)('a' + rng.Next(26)));
            else sb.Append(words[rng.Next(words.Length)]).Append(rng.Next(8) == 0 ? ", " : " ");
        }
        string file = Path.Combine(Path.GetTempPath(), $"weft-long-line-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, sb.ToString());
        try
        {
            // the three cases take about a minute alone on 2 cores; CI runs other test assemblies beside them, hence the wide limit
            var r = WeftProcess.RunLong(300, "tokenize", Vocab(vocab), "--file", file, "--no-bos");
            Assert.True(r.Exit == 0, r.Stderr);
            int count = r.Stdout.Count(c => c == ',') + 1;
            Assert.InRange(count, (10 << 20) / 16, 10 << 20);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void RepeatReportsAWarmTimeAndKeepsTheOutput()
    {
        string path = Vocab("llama-bpe");
        var plain = WeftProcess.Run("tokenize", path, "--text", "Hello world, hello tokens.");
        var timed = WeftProcess.Run("tokenize", path, "--text", "Hello world, hello tokens.", "--repeat", "3");
        Assert.Equal(0, timed.Exit);
        Assert.Equal(plain.Stdout, timed.Stdout);
        Assert.Matches(@"weft: tokenized 26 chars in [0-9.]+ ms \(median of 3 warm runs\)", timed.Stderr);
        WeftProcess.AssertUserError(WeftProcess.Run("tokenize", path, "--text", "x", "--repeat", "-1"), "--repeat");
    }
}
