// Plain text as documents {"text": …}: the whole file, one per non-blank line, or one per paragraph.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Data;

internal static class TextRows
{
    public const string SplitOption = "split";

    /// <summary>options["split"]: absent or "none" — the whole file; "lines" — each line that is not blank (as written,
    /// without its line break); "paragraphs" — runs of non-blank lines separated by blank ones, joined with "\n".</summary>
    public static List<JsonElement> Read(string path, IReadOnlyDictionary<string, string> options)
    {
        string split = options.TryGetValue(SplitOption, out var s) ? s : "none";
        string text = DataFile.ReadText(path);
        IEnumerable<string> documents = split switch
        {
            "none" => [text],
            "lines" => DataFile.SplitLines(text).Where(l => !string.IsNullOrWhiteSpace(l)),
            "paragraphs" => Paragraphs(DataFile.SplitLines(text)),
            _ => throw new TaskDataException($"{path}: dataset.options.split '{split}' is not known (use lines, paragraphs or none)"),
        };
        return documents.Select(d => JsonRows.ToElement(new JsonObject { ["text"] = d })).ToList();
    }

    private static IEnumerable<string> Paragraphs(IReadOnlyList<string> lines)
    {
        var paragraph = new List<string>();
        foreach (var line in lines)
        {
            if (!string.IsNullOrWhiteSpace(line)) { paragraph.Add(line); continue; }
            if (paragraph.Count > 0) yield return string.Join('\n', paragraph);
            paragraph.Clear();
        }
        if (paragraph.Count > 0) yield return string.Join('\n', paragraph);
    }
}
