// The King James Bible as Debian's `bible -f "Gen1:1-Rev22:21"` prints it, one verse a line ("Ge1:1 In the
// beginning…"), as documents {"book", "ref", "chapter", "verse", "text"}, optionally only some books.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Weft.Evaluation.Data;

public static class KjvVerses
{
    /// <summary>dataset.options key: comma-separated book abbreviations as the program prints them
    /// (e.g. "Ruth,Lam,Jonah,Phi,Titus,Jude", the weft-tiny manifest's validation_books).</summary>
    public const string BooksOption = "books";

    // The reference rule of Weft.Training's TextCorpus.FromVerses (book = optional digit + letters, then
    // chapter:verse, whitespace, text), with chapter and verse captured; DocumentReaderKjvTests checks both agree.
    private static readonly Regex Reference = new(@"^(\d?[A-Za-z]+)(\d+):(\d+)\s+(.*)$", RegexOptions.CultureInvariant);

    /// <summary>The verses of <paramref name="text"/> (blank lines skipped; text trimmed, reference dropped), only
    /// those of <paramref name="books"/> when it is given; <paramref name="source"/> names the text in errors.</summary>
    public static List<JsonElement> Parse(string text, string source, IReadOnlyCollection<string>? books = null)
    {
        var keep = books == null ? null : new HashSet<string>(books, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<JsonElement>();
        var lines = DataFile.SplitLines(text);
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            var m = Reference.Match(lines[i]);
            if (!m.Success)
                throw new TaskDataException($"{source}:{i + 1}: expected a verse reference such as 'Ge1:1 …', found '{Shorten(lines[i])}'");
            string book = m.Groups[1].Value;
            seen.Add(book);
            if (keep != null && !keep.Contains(book)) continue;
            if (!int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int chapter)
                || !int.TryParse(m.Groups[3].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int verse))
                throw new TaskDataException($"{source}:{i + 1}: chapter or verse number out of range in '{Shorten(lines[i])}'");
            rows.Add(JsonRows.ToElement(new JsonObject
            {
                ["book"] = book,
                ["ref"] = $"{book}{m.Groups[2].Value}:{m.Groups[3].Value}",
                ["chapter"] = chapter,
                ["verse"] = verse,
                ["text"] = m.Groups[4].Value.Trim(),
            }));
        }
        if (keep != null)
        {
            var missing = keep.Where(b => !seen.Contains(b)).ToList();
            if (missing.Count > 0)
                throw new TaskDataException($"{source}: books not in the text: {string.Join(", ", missing)} (it has: {string.Join(", ", seen)})");
        }
        return rows;
    }

    /// <summary>options["books"] as a list (null when absent); empty names are an error.</summary>
    internal static IReadOnlyCollection<string>? Books(IReadOnlyDictionary<string, string> options, string path)
    {
        if (!options.TryGetValue(BooksOption, out var list)) return null;
        var books = list.Split(',', StringSplitOptions.TrimEntries);
        if (books.Any(b => b.Length == 0))
            throw new TaskDataException($"{path}: dataset.options.books '{list}' has an empty book name (use e.g. Ruth,Lam,Jonah)");
        return books;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
