// The arena table of weft.db: add, find, all (oldest first), import, duplicate ids, and sharing the file with results.
using Microsoft.Data.Sqlite;
using Weft.Evaluation.Arena;
using Weft.Evaluation.Storage;
using Weft.Evaluation.Tests.Reports;

namespace Weft.Evaluation.Tests.Arena;

public sealed class ArenaStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-arena-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "sub", ResultStore.FileName);

    private static ArenaBattle At(string id, int minute, ArenaWinner w = ArenaWinner.A, string a = "x", string b = "y", int hour = 1, int offset = 0) =>
        new(id, a, b, w, $"prompt {id}", minute % 2 == 0 ? new AnswerStyle(minute, 1, 2, 3) : null, new AnswerStyle(7, 0, 0, 0),
            new DateTimeOffset(2026, 12, 7, hour, minute, 0, TimeSpan.FromHours(offset)));

    [Fact]
    public void Battles_round_trip_through_a_reopened_file_oldest_first()
    {
        // stored out of order, with offsets: All sorts by the instant (00:00Z, 01:00Z, 02:00Z), not by the text
        var late = At("late", 1, hour: 3, offset: 1); // odd minute: no style for answer A
        var early = At("early", 0, ArenaWinner.BothBad, hour: 5, offset: 5);
        var middle = At("middle", 0, ArenaWinner.Tie, "p", "q", hour: 1);
        using (var store = ArenaStore.Open(Db))
        {
            Assert.True(store.Add(late));
            Assert.True(store.Add(early));
            Assert.True(store.Add(middle));
            Assert.Equal(Path.GetFullPath(Db), store.FilePath);
        }
        using var again = ArenaStore.Open(Db);
        Assert.Equal([early, middle, late], again.All());
        Assert.Equal(middle, again.Find("middle"));
        Assert.Equal(TimeSpan.FromHours(5), again.Find("early")!.Time.Offset);
        Assert.Null(again.Find("nope"));
    }

    [Fact]
    public void Adding_a_stored_id_again_changes_nothing()
    {
        using var store = ArenaStore.Open(Db);
        var first = At("same", 1);
        Assert.True(store.Add(first));
        Assert.False(store.Add(first with { Winner = ArenaWinner.B, ModelA = "other" }));
        Assert.Equal(first, Assert.Single(store.All()));
    }

    [Fact]
    public void Import_counts_the_new_ids_only()
    {
        using var store = ArenaStore.Open(Db);
        store.Add(At("b1", 1));
        int added = store.Import([At("b1", 1), At("b2", 2), At("b3", 3), At("b2", 2)]);
        Assert.Equal(2, added);
        Assert.Equal(["b1", "b2", "b3"], store.All().Select(b => b.Id));
        Assert.Equal(0, store.Import([At("b3", 3)]));
        Assert.Equal(0, store.Import([]));
    }

    [Fact]
    public void Import_is_one_transaction_all_or_none()
    {
        using var store = ArenaStore.Open(Db);
        Assert.Throws<ArgumentException>(() => store.Import([At("ok", 1), At("self", 2, a: "x", b: "x")]));
        Assert.Empty(store.All());
        Assert.Throws<ArgumentException>(() => store.Add(At("", 1)));
    }

    [Fact]
    public void The_arena_table_shares_weft_db_with_the_results_and_leaves_user_version_alone()
    {
        var facts = Samples.Facts("m");
        var run = Samples.Run("m", "piqa", 0.5);
        using (var results = ResultStore.Open(Db)) results.Save(facts);
        using (var arena = ArenaStore.Open(Db)) arena.Add(At("a1", 1));
        using (var results = ResultStore.Open(Db)) results.Save(run);
        using (var arena = ArenaStore.Open(Db)) arena.Add(At("a2", 2));

        using (var results = ResultStore.Open(Db))
        {
            Assert.Equal(facts, Assert.Single(results.Models()));
            Assert.Equal("piqa", Assert.Single(results.Runs()).Task);
        }
        using (var arena = ArenaStore.Open(Db)) Assert.Equal(["a1", "a2"], arena.All().Select(b => b.Id));

        using var db = new SqliteConnection($"Data Source={Db};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
        cmd.CommandText = "SELECT version FROM arena_schema";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!);
        cmd.CommandText = "SELECT COUNT(*) FROM eval_schema";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void A_newer_schema_is_refused()
    {
        using (var arena = ArenaStore.Open(Db)) { }
        using (var db = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO arena_schema (version) VALUES (99)";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<InvalidOperationException>(() => ArenaStore.Open(Db));
        Assert.Contains("newer weft", e.Message);
    }
}
