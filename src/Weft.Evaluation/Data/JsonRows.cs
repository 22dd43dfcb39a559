// JSON Lines and JSON-array files as rows, plus the helpers every reader uses to build and check JSON objects.
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Data;

internal static class JsonRows
{
    /// <summary>A JSON Lines file: one object per line, blank lines skipped. Each row comes with its 1-based line.</summary>
    public static List<(int Line, JsonElement Row)> ReadLines(string path)
    {
        var lines = DataFile.ReadLines(path);
        var rows = new List<(int, JsonElement)>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            JsonElement row;
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                row = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new TaskDataException($"{path}:{i + 1}: not valid JSON: {ParserMessage(e)}", e);
            }
            if (row.ValueKind != JsonValueKind.Object)
                throw new TaskDataException($"{path}:{i + 1}: expected a JSON object, found {Kind(row)}");
            rows.Add((i + 1, row));
        }
        return rows;
    }

    /// <summary>A JSON file: a top-level array of objects, or an object whose <paramref name="field"/> holds that array.</summary>
    public static List<JsonElement> ReadArray(string path, string? field)
    {
        string text = DataFile.ReadText(path);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new TaskDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {ParserMessage(e)}", e);
        }
        JsonElement array = root;
        if (field != null)
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw new TaskDataException($"{path}: dataset.field is '{field}', but the top level is {Kind(root)}, not an object");
            if (!root.TryGetProperty(field, out array))
                throw new TaskDataException($"{path}: the top-level object has no property '{field}' (it has: {PropertyList(root)})");
        }
        else if (root.ValueKind == JsonValueKind.Object)
        {
            throw new TaskDataException($"{path}: the top level is an object; set dataset.field to the property that holds the rows (it has: {PropertyList(root)})");
        }
        string where = field == null ? "the top level" : $"'{field}'";
        if (array.ValueKind != JsonValueKind.Array)
            throw new TaskDataException($"{path}: {where} is {Kind(array)}, not an array of rows");
        var rows = new List<JsonElement>(array.GetArrayLength());
        foreach (var row in array.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
                throw new TaskDataException($"{path}: row {rows.Count + 1} of {where} is {Kind(row)}, not a JSON object");
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>An independent element holding <paramref name="node"/>'s value (no JsonDocument to dispose).</summary>
    public static JsonElement ToElement(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) node.WriteTo(writer);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string PropertyList(JsonElement obj)
    {
        var names = obj.EnumerateObject().Select(p => p.Name).ToList();
        return names.Count == 0 ? "no properties" : string.Join(", ", names);
    }

    // System.Text.Json's message without its trailing "Path: … | LineNumber: … | BytePositionInLine: …." part,
    // replaced by a plain column.
    private static string ParserMessage(JsonException e)
    {
        string message = e.Message;
        int cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return e.BytePositionInLine is long column ? $"{message.TrimEnd()} (at byte {column + 1} of the line)" : message;
    }
}
