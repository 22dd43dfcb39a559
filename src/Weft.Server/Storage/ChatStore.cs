// The chat page's memory: conversations, their messages and saved assistants in one SQLite file (schema below).
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Weft.Server.Storage;

/// <summary>A conversation; times are Unix milliseconds.</summary>
public sealed record Conversation(string Id, string Title, string? Model, string SystemPrompt, string? AssistantId, long Created, long Updated);

public sealed record StoredMessage(long Id, string Role, string Content, double? TokensPerSecond, long Created);

public sealed record Assistant(string Id, string Name, string SystemPrompt, string? Model, double? Temperature, double? TopP, int? MaxTokens, long Created, long Updated);

/// <summary>A message to append; tokens/s only for answers the server timed.</summary>
public sealed record MessageDraft(string Role, string Content, double? TokensPerSecond);

/// <summary>Fields of a conversation to change; null leaves a field as it is.</summary>
public sealed record ConversationChange(string? Title = null, Optional<string?> Model = default, string? SystemPrompt = null, Optional<string?> AssistantId = default);

/// <summary>A value that may be absent (leave as is) or present, including present and null (clear).</summary>
public readonly record struct Optional<T>(bool IsSet, T Value)
{
    public static implicit operator Optional<T>(T value) => new(true, value);
}

/// <summary>The assistant fields a create or an update sets.</summary>
public sealed record AssistantFields(string Name, string SystemPrompt, string? Model, double? Temperature, double? TopP, int? MaxTokens);

/// <summary>Thrown when a write names a row that does not exist (an assistant a conversation points at).</summary>
public sealed class MissingReferenceException(string field, string id) : Exception($"'{field}' names '{id}', which does not exist")
{
    public string Field { get; } = field;
}

public sealed class ChatStore : IDisposable
{
    public const string FileName = "weft.db";

    private const int SchemaVersion = 1;

    // One statement per entry, run in order inside one transaction when the file is new.
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE assistants (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            system_prompt TEXT NOT NULL DEFAULT '',
            model TEXT,
            temperature REAL,
            top_p REAL,
            max_tokens INTEGER,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL)
        """,
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            model TEXT,
            system_prompt TEXT NOT NULL DEFAULT '',
            assistant_id TEXT REFERENCES assistants(id) ON DELETE SET NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL)
        """,
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            tokens_per_second REAL,
            created INTEGER NOT NULL)
        """,
        "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
        "CREATE INDEX conversations_by_update ON conversations(updated DESC)",
    ];

    private readonly string _connectionString;
    private readonly Lazy<bool> _ready;
    private readonly TimeProvider _time;
    private long _lastStamp;

    public ChatStore(string directory, TimeProvider? time = null)
    {
        Directory = Path.GetFullPath(directory);
        FilePath = Path.Combine(Directory, FileName);
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 10, // seconds a writer waits for another one
        }.ToString();
        // the file is created on first use, so a server whose page is never opened writes nothing
        _ready = new Lazy<bool>(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Directory { get; }
    public string FilePath { get; }

    // ---- conversations ----

    /// <summary>Most recently updated first; a query matches titles and message text, case-insensitively for ASCII.</summary>
    public IReadOnlyList<Conversation> ListConversations(string? query, int limit)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = string.IsNullOrWhiteSpace(query)
            ? $"SELECT {ConversationColumns} FROM conversations c ORDER BY updated DESC, rowid DESC LIMIT $limit"
            : $"""
               SELECT {ConversationColumns} FROM conversations c
               WHERE c.title LIKE $pattern ESCAPE '\'
                  OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE $pattern ESCAPE '\')
               ORDER BY updated DESC, rowid DESC LIMIT $limit
               """;
        cmd.Parameters.AddWithValue("$limit", limit);
        if (!string.IsNullOrWhiteSpace(query)) cmd.Parameters.AddWithValue("$pattern", "%" + EscapeLike(query.Trim()) + "%");
        return ReadAll(cmd, ReadConversation);
    }

    public Conversation? GetConversation(string id)
    {
        using var db = Open();
        return FindConversation(db, null, id);
    }

    /// <summary>The messages of a conversation in the order they were added.</summary>
    public IReadOnlyList<StoredMessage> Messages(string conversationId)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, role, content, tokens_per_second, created FROM messages WHERE conversation_id = $id ORDER BY id";
        cmd.Parameters.AddWithValue("$id", conversationId);
        return ReadAll(cmd, ReadMessage);
    }

    public Conversation CreateConversation(string title, string? model, string systemPrompt, string? assistantId)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        if (assistantId != null) RequireAssistant(db, tx, assistantId);
        long now = Now();
        var c = new Conversation(NewId("conv"), title, model, systemPrompt, assistantId, now, now);
        using var cmd = Command(db, tx, """
            INSERT INTO conversations (id, title, model, system_prompt, assistant_id, created, updated)
            VALUES ($id, $title, $model, $system, $assistant, $now, $now)
            """);
        cmd.Parameters.AddWithValue("$id", c.Id);
        cmd.Parameters.AddWithValue("$title", c.Title);
        cmd.Parameters.AddWithValue("$model", (object?)c.Model ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$system", c.SystemPrompt);
        cmd.Parameters.AddWithValue("$assistant", (object?)c.AssistantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$now", now);
        cmd.ExecuteNonQuery();
        tx.Commit();
        return c;
    }

    /// <summary>Changes the given fields; null when the conversation does not exist.</summary>
    public Conversation? UpdateConversation(string id, ConversationChange change)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        var old = FindConversation(db, tx, id);
        if (old == null) return null;
        if (change.AssistantId is { IsSet: true, Value: string a }) RequireAssistant(db, tx, a);
        var c = old with
        {
            Title = change.Title ?? old.Title,
            Model = change.Model.IsSet ? change.Model.Value : old.Model,
            SystemPrompt = change.SystemPrompt ?? old.SystemPrompt,
            AssistantId = change.AssistantId.IsSet ? change.AssistantId.Value : old.AssistantId,
            Updated = Now(),
        };
        using var cmd = Command(db, tx, """
            UPDATE conversations SET title = $title, model = $model, system_prompt = $system, assistant_id = $assistant, updated = $now
            WHERE id = $id
            """);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$title", c.Title);
        cmd.Parameters.AddWithValue("$model", (object?)c.Model ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$system", c.SystemPrompt);
        cmd.Parameters.AddWithValue("$assistant", (object?)c.AssistantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$now", c.Updated);
        cmd.ExecuteNonQuery();
        tx.Commit();
        return c;
    }

    /// <summary>Deletes a conversation and its messages; false when it did not exist.</summary>
    public bool DeleteConversation(string id) => DeleteRow("conversations", id);

    /// <summary>Appends messages in one transaction and touches the conversation; null when it does not exist.</summary>
    public IReadOnlyList<StoredMessage>? AppendMessages(string conversationId, IReadOnlyList<MessageDraft> drafts)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        if (FindConversation(db, tx, conversationId) == null) return null;
        long now = Now();
        var added = new List<StoredMessage>(drafts.Count);
        foreach (var d in drafts)
        {
            using var cmd = Command(db, tx, """
                INSERT INTO messages (conversation_id, role, content, tokens_per_second, created)
                VALUES ($conversation, $role, $content, $tps, $now) RETURNING id
                """);
            cmd.Parameters.AddWithValue("$conversation", conversationId);
            cmd.Parameters.AddWithValue("$role", d.Role);
            cmd.Parameters.AddWithValue("$content", d.Content);
            cmd.Parameters.AddWithValue("$tps", (object?)d.TokensPerSecond ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$now", now);
            long id = (long)cmd.ExecuteScalar()!;
            added.Add(new StoredMessage(id, d.Role, d.Content, d.TokensPerSecond, now));
        }
        using (var touch = Command(db, tx, "UPDATE conversations SET updated = $now WHERE id = $id"))
        {
            touch.Parameters.AddWithValue("$now", now);
            touch.Parameters.AddWithValue("$id", conversationId);
            touch.ExecuteNonQuery();
        }
        tx.Commit();
        return added;
    }

    // ---- assistants ----

    /// <summary>Every assistant, by name.</summary>
    public IReadOnlyList<Assistant> ListAssistants()
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {AssistantColumns} FROM assistants ORDER BY name COLLATE NOCASE, created";
        return ReadAll(cmd, ReadAssistant);
    }

    public Assistant? GetAssistant(string id)
    {
        using var db = Open();
        return FindAssistant(db, null, id);
    }

    public Assistant CreateAssistant(AssistantFields f)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        long now = Now();
        var a = new Assistant(NewId("asst"), f.Name, f.SystemPrompt, f.Model, f.Temperature, f.TopP, f.MaxTokens, now, now);
        using var cmd = Command(db, tx, """
            INSERT INTO assistants (id, name, system_prompt, model, temperature, top_p, max_tokens, created, updated)
            VALUES ($id, $name, $system, $model, $temperature, $top_p, $max_tokens, $now, $now)
            """);
        cmd.Parameters.AddWithValue("$id", a.Id);
        AddAssistantFields(cmd, f);
        cmd.Parameters.AddWithValue("$now", now);
        cmd.ExecuteNonQuery();
        tx.Commit();
        return a;
    }

    /// <summary>Replaces an assistant's fields; null when it does not exist.</summary>
    public Assistant? UpdateAssistant(string id, AssistantFields f)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        var old = FindAssistant(db, tx, id);
        if (old == null) return null;
        long now = Now();
        using var cmd = Command(db, tx, """
            UPDATE assistants SET name = $name, system_prompt = $system, model = $model, temperature = $temperature,
                top_p = $top_p, max_tokens = $max_tokens, updated = $now
            WHERE id = $id
            """);
        cmd.Parameters.AddWithValue("$id", id);
        AddAssistantFields(cmd, f);
        cmd.Parameters.AddWithValue("$now", now);
        cmd.ExecuteNonQuery();
        tx.Commit();
        return new Assistant(id, f.Name, f.SystemPrompt, f.Model, f.Temperature, f.TopP, f.MaxTokens, old.Created, now);
    }

    /// <summary>Deletes an assistant; conversations started from it keep their settings and lose the link.</summary>
    public bool DeleteAssistant(string id) => DeleteRow("assistants", id);

    public void Dispose()
    {
        // pooled connections keep the file open; let it go with the server
        if (!_ready.IsValueCreated) return;
        using var db = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(db);
    }

    // ---- plumbing ----

    private const string ConversationColumns = "c.id, c.title, c.model, c.system_prompt, c.assistant_id, c.created, c.updated";
    private const string AssistantColumns = "id, name, system_prompt, model, temperature, top_p, max_tokens, created, updated";

    private bool Initialize()
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var db = new SqliteConnection(_connectionString);
        db.Open();
        using (var wal = db.CreateCommand())
        {
            // readers do not wait for the writer
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }
        using var tx = db.BeginTransaction();
        long version;
        using (var read = Command(db, tx, "PRAGMA user_version")) version = (long)read.ExecuteScalar()!;
        if (version > SchemaVersion)
            throw new InvalidOperationException($"the chat database '{FilePath}' was written by a newer weft (schema {version}; this one knows {SchemaVersion})");
        if (version == 0)
        {
            foreach (string statement in Schema)
            {
                using var cmd = Command(db, tx, statement);
                cmd.ExecuteNonQuery();
            }
            using var mark = Command(db, tx, $"PRAGMA user_version = {SchemaVersion}");
            mark.ExecuteNonQuery();
        }
        tx.Commit();
        return true;
    }

    private SqliteConnection Open()
    {
        _ = _ready.Value;
        var db = new SqliteConnection(_connectionString);
        db.Open();
        return db;
    }

    private static SqliteCommand Command(SqliteConnection db, SqliteTransaction? tx, string sql)
    {
        var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private bool DeleteRow(string table, string id)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        using var cmd = Command(db, tx, $"DELETE FROM {table} WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        bool deleted = cmd.ExecuteNonQuery() > 0;
        tx.Commit();
        return deleted;
    }

    private static Conversation? FindConversation(SqliteConnection db, SqliteTransaction? tx, string id)
    {
        using var cmd = Command(db, tx, $"SELECT {ConversationColumns} FROM conversations c WHERE c.id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        return ReadAll(cmd, ReadConversation).FirstOrDefault();
    }

    private static Assistant? FindAssistant(SqliteConnection db, SqliteTransaction? tx, string id)
    {
        using var cmd = Command(db, tx, $"SELECT {AssistantColumns} FROM assistants WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        return ReadAll(cmd, ReadAssistant).FirstOrDefault();
    }

    private static void RequireAssistant(SqliteConnection db, SqliteTransaction tx, string id)
    {
        if (FindAssistant(db, tx, id) == null) throw new MissingReferenceException("assistant_id", id);
    }

    private static void AddAssistantFields(SqliteCommand cmd, AssistantFields f)
    {
        cmd.Parameters.AddWithValue("$name", f.Name);
        cmd.Parameters.AddWithValue("$system", f.SystemPrompt);
        cmd.Parameters.AddWithValue("$model", (object?)f.Model ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$temperature", (object?)f.Temperature ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$top_p", (object?)f.TopP ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$max_tokens", (object?)f.MaxTokens ?? DBNull.Value);
    }

    private static List<T> ReadAll<T>(SqliteCommand cmd, Func<SqliteDataReader, T> read)
    {
        var list = new List<T>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add(read(r));
        return list;
    }

    private static Conversation ReadConversation(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5), r.GetInt64(6));

    private static StoredMessage ReadMessage(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetInt64(4));

    private static Assistant ReadAssistant(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetInt32(6),
        r.GetInt64(7), r.GetInt64(8));

    /// <summary>Unix milliseconds, strictly increasing within this process so that "most recent" is never a tie.</summary>
    private long Now()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long last;
        do
        {
            last = Interlocked.Read(ref _lastStamp);
            if (now <= last) now = last + 1;
        } while (Interlocked.CompareExchange(ref _lastStamp, now, last) != last);
        return now;
    }

    private static string NewId(string prefix) => prefix + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
