// The results database: round trip, upsert by key, one latest row per (model, task), items only on request.
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;
using Weft.Evaluation.Tests.Reports;

namespace Weft.Evaluation.Tests.Storage;

public sealed class ResultStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "sub", "weft.db");

    [Fact]
    public void Facts_and_runs_round_trip_through_a_reopened_file()
    {
        var facts = Samples.Facts("a") with { TtftMs = 12.5, Error = "slow" };
        var finished = new DateTimeOffset(2026, 12, 5, 7, 30, 1, 123, TimeSpan.FromHours(2));
        var run = Samples.Run("a", "piqa", 0.625, finished: finished, stderr: 0.01) with { Metrics = new Dictionary<string, double> { ["acc"] = 0.625, ["ppl"] = double.PositiveInfinity } };
        using (var store = ResultStore.Open(Db))
        {
            store.Save(facts);
            store.Save(run);
        }
        using var again = ResultStore.Open(Db);
        Assert.Equal(facts, Assert.Single(again.Models()));
        var back = Assert.Single(again.Runs(withItems: true));
        Assert.Equal(run.Metrics, back.Metrics);
        Assert.Equal(finished, back.Finished);
        Assert.Equal(run.Items[0].Ll, back.Items[0].Ll);
        Assert.Equal(run.Items[0].NTokens, back.Items[0].NTokens);
        Assert.Equal((run.Model, run.Task, run.Primary, run.HigherIsBetter, run.Count, run.Seconds),
            (back.Model, back.Task, back.Primary, back.HigherIsBetter, back.Count, back.Seconds));
    }

    [Fact]
    public void Saving_again_replaces_the_model_and_the_model_task_pair()
    {
        using var store = ResultStore.Open(Db);
        store.Save(Samples.Facts("a", bytes: 1));
        store.Save(Samples.Facts("a", bytes: 2));
        store.Save(Samples.Facts("b"));
        store.Save(Samples.Run("a", "piqa", 0.5));
        store.Save(Samples.Run("a", "piqa", 0.7, error: "boom"));
        store.Save(Samples.Run("a", "hellaswag", 0.3));
        store.Save(Samples.Run("b", "piqa", 0.4));
        Assert.Equal(["a", "b"], store.Models().Select(m => m.Model));
        Assert.Equal(2, store.Models()[0].FileBytes);
        var runs = store.Runs();
        Assert.Equal(3, runs.Count);
        var latest = runs.Single(r => r.Model == "a" && r.Task == "piqa");
        Assert.Equal(0.7, latest.Metrics["acc"]);
        Assert.Equal("boom", latest.Error);
        Assert.Equal(["a", "b"], store.Runs("piqa").Select(r => r.Model));
        Assert.Empty(store.Runs("nothing"));
    }

    [Fact]
    public void Items_come_back_only_when_asked()
    {
        using var store = ResultStore.Open(Db);
        store.Save(Samples.Run("a", "piqa", 0.5));
        Assert.Empty(store.Runs()[0].Items);
        Assert.Single(store.Runs(withItems: true)[0].Items);
    }

    [Fact]
    public void Shares_a_file_with_other_tables_and_keeps_its_version_apart()
    {
        // the chat page's store uses PRAGMA user_version on the same weft.db
        using (var store = ResultStore.Open(Db)) store.Save(Samples.Facts("a"));
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "SELECT version FROM eval_schema; PRAGMA user_version;";
            using var reader = cmd.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.True(reader.NextResult() && reader.Read());
            Assert.Equal(0L, reader.GetInt64(0));
        }
        using var again = ResultStore.Open(Db);
        Assert.Single(again.Models());
    }

    [Fact]
    public void Default_path_follows_WEFT_HOME()
    {
        string? before = Environment.GetEnvironmentVariable("WEFT_HOME");
        try
        {
            Environment.SetEnvironmentVariable("WEFT_HOME", _dir);
            Assert.Equal(Path.Combine(_dir, "weft.db"), ResultStore.DefaultPath);
            Environment.SetEnvironmentVariable("WEFT_HOME", null);
            Assert.EndsWith(Path.Combine(".weft", "weft.db"), ResultStore.DefaultPath);
        }
        finally
        {
            Environment.SetEnvironmentVariable("WEFT_HOME", before);
        }
    }
}
