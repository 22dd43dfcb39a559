// A labels file (one label per line, same order as the rows, e.g. PIQA's valid-labels.lst) joined to its rows.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Data;

internal static class LabelsFile
{
    /// <summary>Row i gets line i of <paramref name="labelsPath"/> as field `label`: an integer when it parses as one,
    /// else the (trimmed) text. Trailing blank lines are ignored; a different count is an error naming both files.</summary>
    public static List<JsonElement> Join(IReadOnlyList<JsonElement> rows, string path, string labelsPath)
    {
        var lines = DataFile.ReadLines(labelsPath).ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        if (lines.Count != rows.Count)
            throw new TaskDataException($"{labelsPath} has {lines.Count} labels but {path} has {rows.Count} rows: they must match one to one");
        var joined = new List<JsonElement>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            string text = lines[i].Trim();
            if (text.Length == 0) throw new TaskDataException($"{labelsPath}:{i + 1}: blank label");
            if (rows[i].ValueKind != JsonValueKind.Object)
                throw new TaskDataException($"{path}: row {i + 1} is {JsonRows.Kind(rows[i])}, so it cannot take a label");
            var obj = JsonObject.Create(rows[i])!;
            obj["label"] = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? JsonValue.Create(n) : JsonValue.Create(text);
            joined.Add(JsonRows.ToElement(obj));
        }
        return joined;
    }
}
