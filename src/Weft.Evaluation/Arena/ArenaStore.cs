// Arena votes kept in weft.db beside the evaluation results and the chat page's tables: its own table and its own
// schema-version table, never user_version.
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Weft.Evaluation.Arena;

/// <summary>Stores battles by id (an id is stored once; adding it again changes nothing). Each write is one
/// transaction.</summary>
public sealed class ArenaStore : IDisposable
{
    private const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS arena_battles (
            id TEXT PRIMARY KEY,
            model_a TEXT NOT NULL,
            model_b TEXT NOT NULL,
            winner TEXT NOT NULL,
            prompt TEXT NOT NULL,
            time TEXT NOT NULL,
            time_ticks INTEGER NOT NULL,
            tokens_a INTEGER, headers_a INTEGER, list_items_a INTEGER, bold_a INTEGER,
            tokens_b INTEGER, headers_b INTEGER, list_items_b INTEGER, bold_b INTEGER)
        """;

    private const string Columns = "id, model_a, model_b, winner, prompt, time, tokens_a, headers_a, list_items_a, bold_a, tokens_b, headers_b, list_items_b, bold_b";

    private readonly SqliteConnection _db;

    private ArenaStore(string path)
    {
        FilePath = Path.GetFullPath(path);
        _db = Storage.SqliteFile.Open(FilePath, "arena_schema", SchemaVersion, [Schema], "the arena votes");
    }

    public string FilePath { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/>, usually
    /// <see cref="Storage.ResultStore.DefaultPath"/>.</summary>
    public static ArenaStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ArenaStore(path);
    }

    /// <summary>Stores <paramref name="b"/>; false when its id is stored already (nothing changes then).</summary>
    public bool Add(ArenaBattle b)
    {
        using var tx = _db.BeginTransaction();
        bool added = Insert(tx, b);
        tx.Commit();
        return added;
    }

    /// <summary>The battle stored under <paramref name="id"/>, or null.</summary>
    public ArenaBattle? Find(string id)
    {
        using var cmd = Command(null, $"SELECT {Columns} FROM arena_battles WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadBattle(reader) : null;
    }

    /// <summary>Every stored battle, oldest first (by time, then by when it was stored).</summary>
    public IReadOnlyList<ArenaBattle> All()
    {
        using var cmd = Command(null, $"SELECT {Columns} FROM arena_battles ORDER BY time_ticks, rowid");
        using var reader = cmd.ExecuteReader();
        var list = new List<ArenaBattle>();
        while (reader.Read()) list.Add(ReadBattle(reader));
        return list;
    }

    /// <summary>Stores every battle whose id is new, in one transaction (all or none); returns how many were new.</summary>
    public int Import(IEnumerable<ArenaBattle> battles)
    {
        ArgumentNullException.ThrowIfNull(battles);
        using var tx = _db.BeginTransaction();
        int added = 0;
        foreach (var b in battles)
            if (Insert(tx, b)) added++;
        tx.Commit();
        return added;
    }

    public void Dispose() => _db.Dispose();

    private bool Insert(SqliteTransaction tx, ArenaBattle b)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentException.ThrowIfNullOrEmpty(b.Id, nameof(b.Id));
        ArgumentException.ThrowIfNullOrEmpty(b.ModelA, nameof(b.ModelA));
        ArgumentException.ThrowIfNullOrEmpty(b.ModelB, nameof(b.ModelB));
        if (string.Equals(b.ModelA, b.ModelB, StringComparison.Ordinal))
            throw new ArgumentException($"arena battle '{b.Id}' pits '{b.ModelA}' against itself");
        using var cmd = Command(tx, $"""
            INSERT INTO arena_battles ({Columns}, time_ticks)
            VALUES ($id, $a, $b, $winner, $prompt, $time, $ta, $ha, $la, $ba, $tb, $hb, $lb, $bb, $ticks)
            ON CONFLICT(id) DO NOTHING
            """);
        cmd.Parameters.AddWithValue("$id", b.Id);
        cmd.Parameters.AddWithValue("$a", b.ModelA);
        cmd.Parameters.AddWithValue("$b", b.ModelB);
        cmd.Parameters.AddWithValue("$winner", ArenaWinners.ToJson(b.Winner));
        cmd.Parameters.AddWithValue("$prompt", b.Prompt ?? "");
        cmd.Parameters.AddWithValue("$time", b.Time.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$ticks", b.Time.UtcTicks);
        AddStyle(cmd, "a", b.StyleA);
        AddStyle(cmd, "b", b.StyleB);
        return cmd.ExecuteNonQuery() == 1;
    }

    private static void AddStyle(SqliteCommand cmd, string side, AnswerStyle? s)
    {
        cmd.Parameters.AddWithValue("$t" + side, (object?)s?.Tokens ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$h" + side, (object?)s?.Headers ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$l" + side, (object?)s?.ListItems ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$b" + side, (object?)s?.BoldSpans ?? DBNull.Value);
    }

    private ArenaBattle ReadBattle(SqliteDataReader r)
    {
        string id = r.GetString(0);
        if (!ArenaWinners.TryParse(r.GetString(3), out var winner))
            throw new InvalidOperationException($"'{FilePath}': arena_battles row '{id}' has an unknown winner '{r.GetString(3)}'");
        return new ArenaBattle(id, r.GetString(1), r.GetString(2), winner, r.GetString(4), ReadStyle(r, 6), ReadStyle(r, 10),
            DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    private static AnswerStyle? ReadStyle(SqliteDataReader r, int first) =>
        r.IsDBNull(first) ? null : new AnswerStyle(r.GetInt32(first), r.GetInt32(first + 1), r.GetInt32(first + 2), r.GetInt32(first + 3));

    private SqliteCommand Command(SqliteTransaction? tx, string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }
}
