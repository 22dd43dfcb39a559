// CSV and TSV files (RFC 4180: quoted fields may hold the delimiter, doubled quotes and line breaks) as rows of strings.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Data;

internal static class DelimitedRows
{
    /// <summary>Every record of <paramref name="path"/> as an object of strings, keyed by <paramref name="columns"/>
    /// or, when null, by the first record (the header). Blank lines are skipped.</summary>
    public static List<JsonElement> Read(string path, char delimiter, IReadOnlyList<string>? columns)
    {
        var records = Parse(path, DataFile.ReadText(path), delimiter);
        var rows = new List<JsonElement>(records.Count);
        IReadOnlyList<string> names;
        int first = 0;
        if (columns != null)
        {
            if (columns.Count == 0) throw new TaskDataException($"{path}: dataset.columns is empty");
            names = columns;
        }
        else
        {
            if (records.Count == 0) throw new TaskDataException($"{path}: empty file (expected a header row, or set dataset.columns)");
            names = records[0].Fields;
            first = 1;
        }
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new TaskDataException($"{path}{(columns == null ? ":" + records[0].Line : "")}: column '{duplicate.Key}' is named twice");
        string source = columns == null ? "the header" : "dataset.columns";
        for (int r = first; r < records.Count; r++)
        {
            var (line, fields) = records[r];
            if (fields.Count != names.Count)
                throw new TaskDataException($"{path}:{line}: row {r - first + 1} has {fields.Count} fields, but {source} names {names.Count}");
            var obj = new JsonObject();
            for (int c = 0; c < names.Count; c++) obj[names[c]] = fields[c];
            rows.Add(JsonRows.ToElement(obj));
        }
        return rows;
    }

    /// <summary>The records of <paramref name="text"/>, each with the 1-based line it starts on.</summary>
    public static List<(int Line, List<string> Fields)> Parse(string path, string text, char delimiter)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool recordHasContent = false;
        while (i <= text.Length)
        {
            // One field per pass: quoted or plain, then the delimiter, a line end or the end of the text.
            if (i < text.Length && text[i] == '"')
            {
                int openLine = line;
                recordHasContent = true;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new TaskDataException($"{path}:{openLine}: quoted field is never closed (no closing \" before the end of the file)");
                    char c = text[i];
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (c == '\n') line++;
                    field.Append(c);
                    i++;
                }
                if (i < text.Length && text[i] != delimiter && text[i] != '\n' && !(text[i] == '\r' && (i + 1 == text.Length || text[i + 1] == '\n')))
                    throw new TaskDataException($"{path}:{line}: unexpected '{text[i]}' after a closing quote (a quote inside a quoted field is written \"\")");
            }
            else
            {
                while (i < text.Length && text[i] != delimiter && text[i] != '\n')
                {
                    if (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] == '\n')) break;
                    field.Append(text[i]);
                    i++;
                }
                if (field.Length > 0) recordHasContent = true;
            }
            fields.Add(field.ToString());
            field.Clear();
            if (i < text.Length && text[i] == delimiter)
            {
                recordHasContent = true;
                i++;
                continue;
            }
            // End of the record: a line break or the end of the text.
            if (recordHasContent) records.Add((recordLine, fields));
            fields = new List<string>();
            recordHasContent = false;
            if (i < text.Length && text[i] == '\r') i++;
            if (i >= text.Length) break;
            i++; // the '\n'
            line++;
            recordLine = line;
            if (i == text.Length) break;
        }
        return records;
    }
}
