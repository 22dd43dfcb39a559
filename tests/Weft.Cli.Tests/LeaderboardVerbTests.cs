// `weft leaderboard`: Markdown from the stored runs, --json, --task, --report, and an empty database.
using System.Text.Json;
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;

namespace Weft.Cli.Tests;

public sealed class LeaderboardVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-board-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Seed()
    {
        string db = Path.Combine(_dir, "weft.db");
        using var store = ResultStore.Open(db);
        foreach (var (name, acc) in new[] { ("small", 0.30), ("large", 0.55) })
        {
            store.Save(new ModelFacts(name, "gguf", name + ".gguf", 1 << 20, 10, "Q4_0", 100, 20, null, 1, 5, 2, "test machine"));
            store.Save(new TaskRun(name, "piqa", "1", "acc", true, new Dictionary<string, double> { ["acc"] = acc, ["acc_stderr"] = 0.02 }, [], 10, 1, DateTimeOffset.UtcNow));
            store.Save(new TaskRun(name, "arc_easy", "1", "acc", true, new Dictionary<string, double> { ["acc"] = acc / 2 }, [], 10, 1, DateTimeOffset.UtcNow));
        }
        return db;
    }

    [Fact]
    public void Prints_a_markdown_table_best_first()
    {
        var r = WeftProcess.Run("leaderboard", "--db", Seed());
        Assert.True(r.Exit == 0, r.Stderr);
        var lines = r.Stdout.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains("piqa acc ↑", lines[0]);
        Assert.Contains("| large |", lines[2]);
        Assert.Contains("0.5500 ± 0.0200", lines[2]);
        Assert.Contains("| small |", lines[3]);
    }

    [Fact]
    public void Json_has_tasks_and_rows_and_a_task_filter()
    {
        var r = WeftProcess.Run("leaderboard", "--db", Seed(), "--json", "--task", "piqa");
        Assert.True(r.Exit == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(["piqa"], doc.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["large", "small"], rows.Select(x => x.GetProperty("model").GetProperty("model").GetString()));
        Assert.Equal(0.55, rows[0].GetProperty("average").GetDouble(), 12);
    }

    [Fact]
    public void Report_writes_an_html_file_and_names_it()
    {
        string out_ = Path.Combine(_dir, "report");
        var r = WeftProcess.Run("leaderboard", "--db", Seed(), "--report", out_);
        Assert.True(r.Exit == 0, r.Stderr);
        string index = Path.Combine(out_, "index.html");
        Assert.Contains(index, r.Stderr);
        string html = File.ReadAllText(index);
        Assert.Contains("large", html);
        Assert.Contains("small", html);
    }

    [Fact]
    public void An_empty_database_says_so()
    {
        var r = WeftProcess.Run("leaderboard", "--db", Path.Combine(_dir, "new.db"));
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Contains("no results", r.Stdout);
    }
}
