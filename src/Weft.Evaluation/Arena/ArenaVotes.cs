// Arena votes as JSONL, one battle a line: {"id","model_a","model_b","winner","prompt","time","style_a","style_b"}.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Weft.Evaluation.Arena;

/// <summary>Reads and writes votes files. Only "model_a", "model_b" and "winner" are required; "id" defaults to the
/// first 16 hex digits of the SHA-256 of the line (trimmed, UTF-8), "prompt" to "", "time" (ISO 8601) to the Unix
/// epoch, and a missing or null "style_a"/"style_b" means no style features. A style object has "tokens",
/// "headers", "list_items" and "bold", each a non-negative integer. Other fields are ignored; blank lines are
/// skipped.</summary>
public static class ArenaVotes
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every battle of the file at <paramref name="path"/>; <see cref="ArenaVotesException"/> names
    /// path:line for the first bad line.</summary>
    public static IReadOnlyList<ArenaBattle> Read(string path)
    {
        if (!File.Exists(path)) throw new ArenaVotesException($"votes file '{path}' does not exist");
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Every battle of <paramref name="reader"/>; <paramref name="name"/> is the file name errors give.</summary>
    public static IReadOnlyList<ArenaBattle> Read(TextReader reader, string name)
    {
        var battles = new List<ArenaBattle>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            battles.Add(Parse(line.Trim(), $"{name}:{number}"));
        }
        return battles;
    }

    /// <summary>Writes every battle, one <see cref="Line"/> each, to a temporary file beside <paramref name="path"/>
    /// and renames it over the target: a reader sees the old file or the new one, never half of one.</summary>
    public static void Write(string path, IEnumerable<ArenaBattle> battles)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = full + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                {
                    writer.NewLine = "\n";
                    foreach (var b in battles) writer.WriteLine(Line(b));
                    writer.Flush();
                    stream.Flush(flushToDisk: true);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>One battle as a JSON object on one line, every field written (style objects only when present).</summary>
    public static string Line(ArenaBattle b)
    {
        ArgumentNullException.ThrowIfNull(b);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", b.Id);
            w.WriteString("model_a", b.ModelA);
            w.WriteString("model_b", b.ModelB);
            w.WriteString("winner", ArenaWinners.ToJson(b.Winner));
            w.WriteString("prompt", b.Prompt);
            w.WriteString("time", b.Time.ToString("O", CultureInfo.InvariantCulture));
            WriteStyle(w, "style_a", b.StyleA);
            WriteStyle(w, "style_b", b.StyleB);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The id a line without one gets: stable for the same text.</summary>
    public static string DefaultId(string line) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line.Trim())))[..16];

    private static void WriteStyle(Utf8JsonWriter w, string name, AnswerStyle? s)
    {
        if (s == null) return;
        w.WriteStartObject(name);
        w.WriteNumber("tokens", s.Tokens);
        w.WriteNumber("headers", s.Headers);
        w.WriteNumber("list_items", s.ListItems);
        w.WriteNumber("bold", s.BoldSpans);
        w.WriteEndObject();
    }

    private static ArenaBattle Parse(string line, string where)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new ArenaVotesException($"{where}: not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object) throw new ArenaVotesException($"{where}: expected a JSON object, found {o.ValueKind}");
            string modelA = RequiredString(o, "model_a", where);
            string modelB = RequiredString(o, "model_b", where);
            string winnerText = RequiredString(o, "winner", where);
            if (!ArenaWinners.TryParse(winnerText, out var winner))
                throw new ArenaVotesException($"{where}: \"winner\" is '{winnerText}'; expected \"a\", \"b\", \"tie\" or \"both_bad\"");
            if (string.Equals(modelA, modelB, StringComparison.Ordinal))
                throw new ArenaVotesException($"{where}: \"model_a\" and \"model_b\" are both '{modelA}'; a battle needs two models");
            string id = OptionalString(o, "id", where) ?? DefaultId(line);
            if (id.Length == 0) throw new ArenaVotesException($"{where}: \"id\" is empty");
            string prompt = OptionalString(o, "prompt", where) ?? "";
            var time = DateTimeOffset.UnixEpoch;
            if (OptionalString(o, "time", where) is { } text
                && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
                throw new ArenaVotesException($"{where}: \"time\" is '{text}', not an ISO 8601 time");
            return new ArenaBattle(id, modelA, modelB, winner, prompt, Style(o, "style_a", where), Style(o, "style_b", where), time);
        }
    }

    private static string RequiredString(JsonElement o, string field, string where) =>
        OptionalString(o, field, where) is { Length: > 0 } s ? s : throw new ArenaVotesException($"{where}: \"{field}\" is missing or empty");

    private static string? OptionalString(JsonElement o, string field, string where)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ArenaVotesException($"{where}: \"{field}\" must be a string, found {v.ValueKind}");
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // valid JSON syntax (a \uD800-style escape of a lone surrogate) that is no text
            throw new ArenaVotesException($"{where}: \"{field}\" is not valid Unicode text (it escapes a lone surrogate)");
        }
    }

    private static AnswerStyle? Style(JsonElement o, string field, string where)
    {
        if (!o.TryGetProperty(field, out var s) || s.ValueKind == JsonValueKind.Null) return null;
        if (s.ValueKind != JsonValueKind.Object) throw new ArenaVotesException($"{where}: \"{field}\" must be an object {{\"tokens\",\"headers\",\"list_items\",\"bold\"}}, found {s.ValueKind}");
        return new AnswerStyle(Count(s, field, "tokens", where), Count(s, field, "headers", where), Count(s, field, "list_items", where), Count(s, field, "bold", where));
    }

    private static int Count(JsonElement s, string style, string field, string where)
    {
        if (!s.TryGetProperty(field, out var v)) throw new ArenaVotesException($"{where}: \"{style}\" lacks \"{field}\"");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0)
            throw new ArenaVotesException($"{where}: \"{style}.{field}\" must be a non-negative integer, found {v.GetRawText()}");
        return n;
    }
}
