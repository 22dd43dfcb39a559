// Parquet files as JSON rows: flat columns become JSON scalars, lists arrays and structs objects (the nested
// layout Hugging Face datasets write, e.g. ARC's `choices: {text: [...], label: [...]}`).
using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Weft.Evaluation.Data;

internal static class ParquetRows
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    /// <summary>Every row of every row group, with the columns in schema order; a null or absent value is JSON null.</summary>
    public static List<JsonElement> Read(string path, byte[] bytes)
    {
        if (bytes.Length < 12 || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || !bytes.AsSpan(bytes.Length - 4).SequenceEqual(Magic))
            throw new TaskDataException($"{path}: not a Parquet file (it does not start and end with PAR1)");
        DeserializationResult<Dictionary<string, object>> table;
        try
        {
            table = Task.Run(async () =>
            {
                using var stream = new MemoryStream(bytes, writable: false);
                return await ParquetSerializer.DeserializeUntypedAsync(stream).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            throw new TaskDataException($"{path}: the Parquet data cannot be read: {e.Message}", e);
        }
        var rows = new List<JsonElement>(table.Data.Count);
        for (int r = 0; r < table.Data.Count; r++)
        {
            var row = table.Data[r];
            var obj = new JsonObject();
            foreach (var field in table.Schema.Fields)
                obj[field.Name] = Convert(row.TryGetValue(field.Name, out var value) ? value : null, field, path, r + 1, field.Name);
            rows.Add(JsonRows.ToElement(obj));
        }
        return rows;
    }

    // One value of `field` (the untyped reader gives lists as IEnumerable, structs and maps as dictionaries).
    private static JsonNode? Convert(object? value, Field field, string path, int row, string column)
    {
        if (value is null) return null;
        switch (field)
        {
            case ListField list:
                return ToArray(value, item => Convert(item, list.Item, path, row, column), path, row, column);
            case StructField structure when value is IDictionary members:
                var obj = new JsonObject();
                foreach (var child in structure.Fields)
                    obj[child.Name] = Convert(members.Contains(child.Name) ? members[child.Name] : null, child, path, row, $"{column}.{child.Name}");
                return obj;
            case MapField map when value is IDictionary entries:
                var dict = new JsonObject();
                foreach (DictionaryEntry e in entries)
                    dict[System.Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = Convert(e.Value, map.Value, path, row, column);
                return dict;
            case DataField { IsArray: true } data when value is not string:
                return ToArray(value, item => Scalar(item, path, row, column), path, row, column);
            case DataField:
                return Scalar(value, path, row, column);
            default:
                throw new TaskDataException($"{path}: row {row}: column '{column}' ({field.SchemaType}) holds {value.GetType().Name}, which is not understood");
        }
    }

    private static JsonArray ToArray(object value, Func<object?, JsonNode?> item, string path, int row, string column)
    {
        if (value is not IEnumerable items || value is string)
            throw new TaskDataException($"{path}: row {row}: column '{column}' should hold a list but holds {value.GetType().Name}");
        var array = new JsonArray();
        foreach (var x in items) array.Add(item(x));
        return array;
    }

    private static JsonNode? Scalar(object? value, string path, int row, string column) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> m => JsonValue.Create(m.ToString()),
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        // JSON has no NaN or infinities: those stay readable as strings.
        float f => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        Half h => JsonValue.Create((double)h),
        decimal m => JsonValue.Create(m),
        DateTime t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        DateOnly t => JsonValue.Create(t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString()),
        // Binary columns (images, raw bytes) become base64 text.
        byte[] bytes => JsonValue.Create(System.Convert.ToBase64String(bytes)),
        ReadOnlyMemory<byte> bytes => JsonValue.Create(System.Convert.ToBase64String(bytes.Span)),
        _ => throw new TaskDataException($"{path}: row {row}: column '{column}' holds {value.GetType().Name}, which has no JSON form here"),
    };
}
