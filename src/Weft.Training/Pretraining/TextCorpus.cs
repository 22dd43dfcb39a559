// A pre-training corpus: plain text, or one verse per line ("Ge1:1 In the beginning…", as Debian's `bible -f`
// prints the King James Bible) split into training and validation text by book, so whole books stay unseen.
using System.Text.RegularExpressions;

namespace Weft.Training.Pretraining;

/// <param name="Train">training text, one line (verse or paragraph) per line.</param>
/// <param name="Validation">held-out text in the same form.</param>
public sealed record TextCorpus(string Train, string Validation, int TrainLines, int ValidationLines)
{
    /// <summary>Reads <paramref name="path"/>. With <paramref name="format"/> "verses", each line must start with a
    /// reference (book, chapter:verse) which is dropped, and lines of <paramref name="validationBooks"/> go to the
    /// validation text; with "text", every <paramref name="validationEvery"/>-th line does (0: none).</summary>
    public static TextCorpus Load(string path, string format, IReadOnlyCollection<string> validationBooks, int validationEvery = 0)
    {
        if (!File.Exists(path)) throw new TrainingConfigException($"{path}: no such corpus file");
        var lines = File.ReadAllLines(path);
        return format switch
        {
            "verses" => FromVerses(lines, validationBooks, path),
            "text" => FromText(lines, validationEvery),
            _ => throw new TrainingConfigException($"data.format '{format}' is not known (use \"verses\" or \"text\")"),
        };
    }

    private static readonly Regex Reference = new(@"^(\d?[A-Za-z]+)\d+:\d+\s+(.*)$", RegexOptions.CultureInvariant);

    public static TextCorpus FromVerses(IReadOnlyList<string> lines, IReadOnlyCollection<string> validationBooks, string source = "<input>")
    {
        var books = new HashSet<string>(validationBooks, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<string>();
        var validation = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            var m = Reference.Match(lines[i]);
            if (!m.Success) throw new TrainingConfigException($"{source}:{i + 1}: expected a verse reference such as 'Ge1:1 …'");
            string book = m.Groups[1].Value;
            seen.Add(book);
            (books.Contains(book) ? validation : train).Add(m.Groups[2].Value.Trim());
        }
        var missing = books.Where(b => !seen.Contains(b)).ToList();
        if (missing.Count > 0) throw new TrainingConfigException($"validation books not in {source}: {string.Join(", ", missing)}");
        return new TextCorpus(string.Join('\n', train), string.Join('\n', validation), train.Count, validation.Count);
    }

    public static TextCorpus FromText(IReadOnlyList<string> lines, int validationEvery)
    {
        var train = new List<string>();
        var validation = new List<string>();
        int kept = 0;
        foreach (var line in lines)
        {
            if (line.Trim().Length == 0) continue;
            kept++;
            (validationEvery > 0 && kept % validationEvery == 0 ? validation : train).Add(line);
        }
        return new TextCorpus(string.Join('\n', train), string.Join('\n', validation), train.Count, validation.Count);
    }
}
