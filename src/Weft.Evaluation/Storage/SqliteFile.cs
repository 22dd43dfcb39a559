// Opens weft.db the way every store of it does: the folder created, no connection pooling (Dispose lets the file go),
// writers waiting up to 10 s for each other, and the store's tables created under a schema version kept in a table of
// its own (the file holds several stores, so none of them uses user_version).
using Microsoft.Data.Sqlite;

namespace Weft.Evaluation.Storage;

internal static class SqliteFile
{
    /// <param name="path">an absolute path</param>
    /// <param name="versionTable">the store's own version table (eval_schema, arena_schema)</param>
    /// <param name="version">the schema version this build writes; a newer one in the file is refused</param>
    /// <param name="schema">CREATE … IF NOT EXISTS statements</param>
    /// <param name="what">what the store keeps, for the error ("the results")</param>
    public static SqliteConnection Open(string path, string versionTable, int version, IReadOnlyList<string> schema, string what)
    {
        string? folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
            DefaultTimeout = 10,
        }.ToString());
        try
        {
            db.Open();
            Initialize(db, path, versionTable, version, schema, what);
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static void Initialize(SqliteConnection db, string path, string versionTable, int version, IReadOnlyList<string> schema, string what)
    {
        using var tx = db.BeginTransaction();
        Run(db, tx, $"CREATE TABLE IF NOT EXISTS {versionTable} (version INTEGER NOT NULL)");
        long? stored;
        using (var read = db.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = $"SELECT MAX(version) FROM {versionTable}";
            stored = read.ExecuteScalar() is long v ? v : null;
        }
        if (stored > version)
            throw new InvalidOperationException($"{what} in '{path}' were written by a newer weft (schema {stored}; this one knows {version})");
        foreach (string statement in schema) Run(db, tx, statement);
        if (stored == null) Run(db, tx, $"INSERT INTO {versionTable} (version) VALUES ({version})");
        tx.Commit();
    }

    private static void Run(SqliteConnection db, SqliteTransaction tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
