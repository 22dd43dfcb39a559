// HellaSwag in its two published layouts, both as {"ctx", "label", "endings"}: llama.cpp's six-line text file and
// the official JSONL, the latter cleaned as lm-evaluation-harness's hellaswag task cleans it.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Weft.Evaluation.Data;

public static class HellaSwagRows
{
    private const int EndingCount = 4;
    private const int LinesPerRecord = 2 + EndingCount;

    /// <summary>llama.cpp's layout (`llama-perplexity --hellaswag`): per record the context line
    /// (`activity_label: ctx`), the index 0–3 of the right ending, then the four endings, one per line.</summary>
    internal static List<JsonElement> ReadText(string path)
    {
        var lines = DataFile.ReadLines(path);
        int count = lines.Count;
        while (count > 0 && lines[count - 1].Length == 0) count--; // blank lines after the last record
        if (count % LinesPerRecord != 0)
        {
            int start = count / LinesPerRecord * LinesPerRecord;
            throw new TaskDataException($"{path}:{start + 1}: the last record is cut short: {count - start} of its {LinesPerRecord} lines (context, label, {EndingCount} endings)");
        }
        var rows = new List<JsonElement>(count / LinesPerRecord);
        for (int start = 0; start < count; start += LinesPerRecord)
        {
            string labelText = lines[start + 1].Trim();
            if (!int.TryParse(labelText, NumberStyles.None, CultureInfo.InvariantCulture, out int label) || label >= EndingCount)
                throw new TaskDataException($"{path}:{start + 2}: expected the index (0–{EndingCount - 1}) of the right ending, found '{labelText}'");
            var endings = new JsonArray();
            for (int k = 0; k < EndingCount; k++) endings.Add(lines[start + 2 + k]);
            rows.Add(JsonRows.ToElement(new JsonObject { ["ctx"] = lines[start], ["label"] = label, ["endings"] = endings }));
        }
        return rows;
    }

    /// <summary>The official JSONL (`activity_label`, `ctx_a`, `ctx_b`, `endings`, `label`): ctx is
    /// Preprocess(activity_label + ": " + ctx_a + " " + Capitalize(ctx_b)), endings are preprocessed; the other
    /// original fields are kept (ctx, endings and label are replaced by these).</summary>
    internal static List<JsonElement> ReadJsonl(string path)
    {
        var rows = new List<JsonElement>();
        foreach (var (line, row) in JsonRows.ReadLines(path))
        {
            string where = $"{path}:{line}";
            string activity = StringField(row, "activity_label", where);
            string ctxA = StringField(row, "ctx_a", where);
            string ctxB = StringField(row, "ctx_b", where);
            if (!row.TryGetProperty("endings", out var rawEndings) || rawEndings.ValueKind != JsonValueKind.Array
                || rawEndings.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new TaskDataException($"{where}: field 'endings' must be an array of strings");
            int label = Label(row, rawEndings.GetArrayLength(), where);
            var obj = JsonObject.Create(row)!;
            obj["ctx"] = Preprocess(activity + ": " + ctxA + " " + Capitalize(ctxB));
            obj["label"] = label;
            obj["endings"] = new JsonArray(rawEndings.EnumerateArray().Select(e => (JsonNode?)Preprocess(e.GetString()!)).ToArray());
            rows.Add(JsonRows.ToElement(obj));
        }
        return rows;
    }

    private static readonly Regex Bracketed = new(@"\[.*?\]", RegexOptions.CultureInvariant);

    /// <summary>lm-evaluation-harness's cleaning of WikiHow artefacts: strip, " [title]" → ". ", drop every
    /// "[…]" (shortest match), then "  " → " " (one pass, as Python's str.replace).</summary>
    public static string Preprocess(string text)
    {
        text = text.Trim();
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = Bracketed.Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <summary>Python's str.capitalize: the first character upper-cased, every other one lower-cased.</summary>
    public static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();

    private static string StringField(JsonElement row, string name, string where) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new TaskDataException($"{where}: field '{name}' must be a string");

    // The gold index: a number, or a string holding one (the Hugging Face copy stores it as a string).
    private static int Label(JsonElement row, int endings, string where)
    {
        if (!row.TryGetProperty("label", out var v))
            throw new TaskDataException($"{where}: no field 'label' (the unlabelled test split cannot be scored)");
        bool ok = v.ValueKind switch
        {
            JsonValueKind.Number => v.TryGetInt32(out _),
            JsonValueKind.String => int.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out _),
            _ => false,
        };
        int label = !ok ? -1 : v.ValueKind == JsonValueKind.Number ? v.GetInt32() : int.Parse(v.GetString()!, CultureInfo.InvariantCulture);
        if (label < 0 || label >= endings)
            throw new TaskDataException($"{where}: field 'label' must be the index (0–{endings - 1}) of the right ending, found {v.GetRawText()}");
        return label;
    }
}
