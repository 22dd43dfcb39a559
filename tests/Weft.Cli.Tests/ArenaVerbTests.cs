// `weft arena`: ratings from a votes file or the database (table and --json), import, export, and user errors.
using System.Text.Json;
using Weft.Evaluation.Arena;

namespace Weft.Cli.Tests;

public sealed class ArenaVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-arena-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "weft.db");

    /// <summary>strong beats middling 3 times in 4, middling beats weak 3 times in 4, with ties in between.</summary>
    private string Votes(int times, string name = "votes.jsonl")
    {
        var lines = new List<string>();
        int id = 0;
        for (int t = 0; t < times; t++)
        {
            foreach (var (a, b) in new[] { ("strong", "middling"), ("middling", "weak") })
            {
                for (int k = 0; k < 3; k++) lines.Add(Line(++id, a, b, "a"));
                lines.Add(Line(++id, a, b, "b"));
                lines.Add(Line(++id, b, a, "tie"));
            }
        }
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;

        static string Line(int id, string a, string b, string w) => $$"""{"id":"v{{id}}","model_a":"{{a}}","model_b":"{{b}}","winner":"{{w}}","time":"2026-12-07T01:00:{{id % 60:D2}}Z"}""";
    }

    [Fact]
    public void Ratings_of_a_votes_file_print_a_table_best_first()
    {
        var r = WeftProcess.Run("arena", "ratings", "--votes", Votes(100), "--bootstrap", "200");
        Assert.True(r.Exit == 0, r.Stderr);
        var lines = r.Stdout.TrimEnd().Split('\n');
        Assert.Contains("| # | model", lines[0]);
        Assert.Contains("95 % CI", lines[0]);
        Assert.Contains("losses |", lines[0]);
        Assert.Matches(@"^\|\s+1 \| strong\s+\| 1\d\d\d\.\d \| −\d+\.\d/\+\d+\.\d \|\s+500 \|\s+300 \|\s+100 \|\s+100 \|$", lines[2]);
        Assert.Contains("| middling", lines[3]);
        Assert.Contains("| weak", lines[4]);
        Assert.Equal("1000 battles", lines[5]);
        Assert.Equal(6, lines.Length); // settled: no "not enough votes" line
    }

    [Fact]
    public void A_few_votes_say_not_enough_votes_yet()
    {
        var r = WeftProcess.Run("arena", "ratings", "--votes", Votes(1));
        Assert.True(r.Exit == 0, r.Stderr);
        // strong and weak have five battles each, middling ten
        Assert.EndsWith("not enough votes yet: strong, weak have fewer than 10 battles\n", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_lists_every_model_with_its_interval_and_record()
    {
        var r = WeftProcess.Run("arena", "ratings", "--votes", Votes(20), "--json", "--seed", "3", "--bootstrap", "200");
        Assert.True(r.Exit == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["strong", "middling", "weak"], rows.Select(x => x.GetProperty("model").GetString()));
        Assert.Equal(1000, rows.Average(x => x.GetProperty("rating").GetDouble()), 6);
        foreach (var x in rows)
            Assert.True(x.GetProperty("lower").GetDouble() < x.GetProperty("rating").GetDouble() && x.GetProperty("rating").GetDouble() < x.GetProperty("upper").GetDouble());
        // middling, per ten battles: vs strong 1 win, 1 tie, 3 losses; vs weak 3 wins, 1 tie, 1 loss
        Assert.Equal((200, 80, 40, 80), (rows[1].GetProperty("battles").GetInt32(), rows[1].GetProperty("wins").GetInt32(),
            rows[1].GetProperty("ties").GetInt32(), rows[1].GetProperty("losses").GetInt32()));
        // the same seed gives the same output
        Assert.Equal(r.Stdout, WeftProcess.Run("arena", "ratings", "--votes", Votes(20), "--json", "--seed", "3", "--bootstrap", "200").Stdout);
    }

    [Fact]
    public void Import_then_ratings_from_the_database_then_export()
    {
        string votes = Votes(10);
        var first = WeftProcess.Run("arena", "import", votes, "--db", Db);
        Assert.True(first.Exit == 0, first.Stderr);
        Assert.StartsWith("100 new battles of 100 imported into ", first.Stdout, StringComparison.Ordinal);
        var again = WeftProcess.Run("arena", "import", votes, "--db", Db);
        Assert.StartsWith("0 new battles of 100 imported", again.Stdout, StringComparison.Ordinal);

        var fromFile = WeftProcess.Run("arena", "ratings", "--votes", votes, "--json");
        var fromDb = WeftProcess.Run("arena", "ratings", "--db", Db, "--json");
        Assert.True(fromDb.Exit == 0, fromDb.Stderr);
        Assert.Equal(fromFile.Stdout, fromDb.Stdout);

        string exported = Path.Combine(_dir, "out", "export.jsonl");
        var export = WeftProcess.Run("arena", "export", "--db", Db, "--out", exported);
        Assert.True(export.Exit == 0, export.Stderr);
        Assert.Contains("exported 100 battles", export.Stdout);
        var back = ArenaVotes.Read(exported);
        Assert.Equal(ArenaVotes.Read(votes).ToHashSet(), back.ToHashSet());
        Assert.Equal(100, back.Count);
        Assert.Equal(back.OrderBy(b => b.Time), back); // oldest first
    }

    [Fact]
    public void The_default_database_lives_in_weft_home()
    {
        string home = Path.Combine(_dir, "home");
        var env = new Dictionary<string, string?> { ["WEFT_HOME"] = home };
        var empty = WeftProcess.RunWithEnvironment(env, "arena", "ratings");
        Assert.True(empty.Exit == 0, empty.Stderr);
        Assert.Contains("no arena votes in " + Path.Combine(home, "weft.db"), empty.Stdout);
        var import = WeftProcess.RunWithEnvironment(env, "arena", "import", Votes(2));
        Assert.True(import.Exit == 0, import.Stderr);
        Assert.True(File.Exists(Path.Combine(home, "weft.db")));
        var rated = WeftProcess.RunWithEnvironment(env, "arena", "ratings", "--style-control");
        Assert.True(rated.Exit == 0, rated.Stderr);
        Assert.Contains("no arena votes", rated.Stdout); // these votes carry no style features
        Assert.Contains("20 battles without them skipped", rated.Stdout);
    }

    [Fact]
    public void A_bad_votes_file_is_a_user_error_naming_file_and_line()
    {
        string path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(path, "{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"a\"}\n{\"model_a\":\"x\",\"model_b\":\"x\",\"winner\":\"a\"}\n");
        WeftProcess.AssertUserError(WeftProcess.Run("arena", "ratings", "--votes", path), path + ":2:");
        WeftProcess.AssertUserError(WeftProcess.Run("arena", "import", path, "--db", Db), path + ":2:");
        Assert.False(File.Exists(Db));
        WeftProcess.AssertUserError(WeftProcess.Run("arena", "ratings", "--votes", Path.Combine(_dir, "none.jsonl")), "does not exist");
        WeftProcess.AssertUserError(WeftProcess.Run("arena", "ratings", "--votes", path, "--db", Db), "not both");
        WeftProcess.AssertUserError(WeftProcess.Run("arena", "export", "--db", Db), "--out");
    }
}
