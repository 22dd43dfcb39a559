// Every evaluation result, kept across runs in one SQLite file (~/.weft/weft.db by default; the chat page's
// tables live in the same file, so this store keeps its schema version in its own table, not in user_version).
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Storage;

/// <summary>Stores model facts (one row per model name) and task runs (one row per (model, task): a newer run of the
/// same pair replaces the older). Each write is one transaction.</summary>
public sealed class ResultStore : IDisposable
{
    public const string FileName = "weft.db";

    private const int SchemaVersion = 1;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS eval_models (
            model TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            facts_json TEXT NOT NULL,
            updated TEXT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS eval_runs (
            model TEXT NOT NULL,
            task TEXT NOT NULL,
            task_version TEXT NOT NULL,
            primary_metric TEXT NOT NULL,
            higher_is_better INTEGER NOT NULL,
            metrics_json TEXT NOT NULL,
            items_json TEXT NOT NULL,
            n INTEGER NOT NULL,
            seconds REAL NOT NULL,
            finished TEXT NOT NULL,
            error TEXT,
            PRIMARY KEY (model, task))
        """,
    ];

    private readonly SqliteConnection _db;

    private ResultStore(string path)
    {
        FilePath = Path.GetFullPath(path);
        _db = SqliteFile.Open(FilePath, "eval_schema", SchemaVersion, Schema, "the results");
    }

    /// <summary>~/.weft/weft.db, or $WEFT_HOME/weft.db when WEFT_HOME is set.</summary>
    public static string DefaultPath => Path.Combine(WeftHome.Folder, FileName);

    public string FilePath { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> or <see cref="DefaultPath"/>.</summary>
    public static ResultStore Open(string? path = null) => new(path ?? DefaultPath);

    /// <summary>Inserts or replaces the facts of <see cref="ModelFacts.Model"/>.</summary>
    public void Save(ModelFacts facts)
    {
        ArgumentException.ThrowIfNullOrEmpty(facts.Model, nameof(facts.Model));
        using var tx = _db.BeginTransaction();
        using var cmd = Command(tx, """
            INSERT INTO eval_models (model, kind, facts_json, updated) VALUES ($model, $kind, $json, $updated)
            ON CONFLICT(model) DO UPDATE SET kind = excluded.kind, facts_json = excluded.facts_json, updated = excluded.updated
            """);
        cmd.Parameters.AddWithValue("$model", facts.Model);
        cmd.Parameters.AddWithValue("$kind", facts.Kind);
        cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(facts, ResultJson.Compact));
        cmd.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>Inserts or replaces the run of (<see cref="TaskRun.Model"/>, <see cref="TaskRun.Task"/>), items included.</summary>
    public void Save(TaskRun run)
    {
        ArgumentException.ThrowIfNullOrEmpty(run.Model, nameof(run.Model));
        ArgumentException.ThrowIfNullOrEmpty(run.Task, nameof(run.Task));
        using var tx = _db.BeginTransaction();
        using var cmd = Command(tx, """
            INSERT INTO eval_runs (model, task, task_version, primary_metric, higher_is_better, metrics_json, items_json, n, seconds, finished, error)
            VALUES ($model, $task, $version, $primary, $higher, $metrics, $items, $n, $seconds, $finished, $error)
            ON CONFLICT(model, task) DO UPDATE SET
                task_version = excluded.task_version, primary_metric = excluded.primary_metric,
                higher_is_better = excluded.higher_is_better, metrics_json = excluded.metrics_json,
                items_json = excluded.items_json, n = excluded.n, seconds = excluded.seconds,
                finished = excluded.finished, error = excluded.error
            """);
        cmd.Parameters.AddWithValue("$model", run.Model);
        cmd.Parameters.AddWithValue("$task", run.Task);
        cmd.Parameters.AddWithValue("$version", run.TaskVersion);
        cmd.Parameters.AddWithValue("$primary", run.Primary);
        cmd.Parameters.AddWithValue("$higher", run.HigherIsBetter ? 1 : 0);
        cmd.Parameters.AddWithValue("$metrics", JsonSerializer.Serialize(run.Metrics, ResultJson.Compact));
        cmd.Parameters.AddWithValue("$items", JsonSerializer.Serialize(run.Items, ResultJson.Compact));
        cmd.Parameters.AddWithValue("$n", run.Count);
        cmd.Parameters.AddWithValue("$seconds", run.Seconds);
        cmd.Parameters.AddWithValue("$finished", run.Finished.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$error", (object?)run.Error ?? DBNull.Value);
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>Every stored model, by name.</summary>
    public IReadOnlyList<ModelFacts> Models()
    {
        using var cmd = Command(null, "SELECT model, facts_json FROM eval_models ORDER BY model");
        using var reader = cmd.ExecuteReader();
        var list = new List<ModelFacts>();
        while (reader.Read())
            list.Add(Parse<ModelFacts>(reader.GetString(1), $"eval_models row '{reader.GetString(0)}'"));
        return list;
    }

    /// <summary>The latest run of each (model, task), optionally of one task; items only when asked (they can be large),
    /// otherwise an empty list. Ordered by task, then model.</summary>
    public IReadOnlyList<TaskRun> Runs(string? task = null, bool withItems = false)
    {
        string items = withItems ? "items_json" : "'[]'";
        using var cmd = Command(null, $"""
            SELECT model, task, task_version, primary_metric, higher_is_better, metrics_json, {items}, n, seconds, finished, error
            FROM eval_runs {(task == null ? "" : "WHERE task = $task")} ORDER BY task, model
            """);
        if (task != null) cmd.Parameters.AddWithValue("$task", task);
        using var reader = cmd.ExecuteReader();
        var list = new List<TaskRun>();
        while (reader.Read())
        {
            string where = $"eval_runs row ('{reader.GetString(0)}', '{reader.GetString(1)}')";
            list.Add(new TaskRun(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4) != 0,
                Parse<Dictionary<string, double>>(reader.GetString(5), where + " metrics"),
                Parse<List<ItemResult>>(reader.GetString(6), where + " items"),
                reader.GetInt32(7), reader.GetDouble(8),
                DateTimeOffset.Parse(reader.GetString(9), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }
        return list;
    }

    public void Dispose() => _db.Dispose();

    private SqliteCommand Command(SqliteTransaction? tx, string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private T Parse<T>(string json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ResultJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ResultFileException($"'{FilePath}': {where} is not valid JSON: {e.Message}", e);
        }
    }
}
