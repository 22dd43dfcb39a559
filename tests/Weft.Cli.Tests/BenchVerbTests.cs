// `weft bench`: the JSON shape and sane values on a tiny model (timings are never asserted), and bad arguments.
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class BenchVerbTests
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "cli-bench", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 96, Seed = 53 };

    [Fact]
    public void JsonIsOneObjectWithEveryField()
    {
        string path = TinyModels.Write(Spec);
        var r = WeftProcess.Run("bench", path, "-p", "8", "-n", "4", "-t", "2", "-r", "1", "--json");
        Assert.True(r.Exit == 0, r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        var o = doc.RootElement;
        Assert.Equal(path, o.GetProperty("model").GetString());
        Assert.False(string.IsNullOrEmpty(o.GetProperty("type").GetString()));
        Assert.Equal(2, o.GetProperty("threads").GetInt32());
        Assert.Equal(8, o.GetProperty("n_prompt").GetInt32());
        Assert.Equal(4, o.GetProperty("n_gen").GetInt32());
        foreach (var kind in new[] { "pp", "tg" })
        {
            double median = o.GetProperty($"{kind}_tps").GetDouble();
            double min = o.GetProperty($"{kind}_tps_min").GetDouble(), max = o.GetProperty($"{kind}_tps_max").GetDouble();
            Assert.True(median > 0 && double.IsFinite(median), $"{kind}_tps {median}");
            // one repetition: the median is the only sample
            Assert.Equal(median, min);
            Assert.Equal(median, max);
        }
        Assert.True(o.GetProperty("load_ms").GetDouble() >= 0);
        Assert.True(o.GetProperty("rss_bytes").GetInt64() > 0);
        using var model = Weft.Models.Model.Load(path);
        Assert.Equal(model.BytesPerToken, o.GetProperty("bytes_per_token").GetInt64());
        Assert.Equal(14, o.EnumerateObject().Count());
    }

    [Fact]
    public void TextTableNamesBothTests()
    {
        var r = WeftProcess.Run("bench", TinyModels.Write(Spec), "-p", "4", "-n", "2", "-r", "1");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Contains("pp4", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("tg2", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-r", "0")]
    [InlineData("-p", "-1")]
    [InlineData("-t", "0")]
    public void BadArgumentsAreUserErrors(string flag, string value) =>
        WeftProcess.AssertUserError(WeftProcess.Run("bench", TinyModels.Write(Spec), flag, value));

    [Fact]
    public void NothingToMeasure() =>
        WeftProcess.AssertUserError(WeftProcess.Run("bench", TinyModels.Write(Spec), "-p", "0", "-n", "0"), "nothing to measure");

    [Fact]
    public void MissingModel() => WeftProcess.AssertUserError(WeftProcess.Run("bench", "/nonexistent/model.gguf"));
}
