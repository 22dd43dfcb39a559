// The --json document's field names are an interface: they round-trip as documented.
using System.Text.Json;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Tests;

public sealed class ResultJsonTests
{
    [Fact]
    public void Runs_use_the_documented_field_names()
    {
        var run = new TaskRun("m", "piqa", "1", "acc", true, new Dictionary<string, double> { ["acc"] = 0.5 },
            [new ItemResult(0, 1, 0, [-1.5, -2.5], [3, 4])], 1, 0.1, DateTimeOffset.UnixEpoch);
        string json = JsonSerializer.Serialize(new EvalReport([], [run]));
        using var doc = JsonDocument.Parse(json);
        var item = doc.RootElement.GetProperty("runs")[0].GetProperty("items")[0];
        Assert.Equal(-2.5, item.GetProperty("ll")[1].GetDouble());
        Assert.Equal(4, item.GetProperty("n_tokens")[1].GetInt32());
        Assert.False(item.TryGetProperty("output", out _));
        var back = JsonSerializer.Deserialize<EvalReport>(json)!;
        Assert.Equal(0.5, back.Runs[0].Metrics["acc"]);
    }
}
