// weft arena ratings|export|import: blind-arena votes from a JSONL file or weft.db, rated as Chatbot Arena rates them.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Weft.Evaluation.Arena;
using Weft.Evaluation.Storage;

namespace Weft.Cli.Verbs;

internal static class ArenaVerb
{
    public static Command Create()
    {
        var cmd = new Command("arena", "Rate models from blind pairwise votes (Bradley–Terry on the Elo scale, bootstrap intervals)");
        cmd.Subcommands.Add(RatingsCommand());
        cmd.Subcommands.Add(ExportCommand());
        cmd.Subcommands.Add(ImportCommand());
        return cmd;
    }

    private static Option<string?> DbOption() => new("--db") { Description = "votes database (default ~/.weft/weft.db, or $WEFT_HOME/weft.db)" };

    private static Command RatingsCommand()
    {
        var votes = new Option<string?>("--votes") { Description = "rate the battles of this JSONL file instead of the database's" };
        var db = DbOption();
        var style = new Option<bool>("--style-control") { Description = "fit answer length and markdown as covariates; battles without style features are skipped" };
        var bootstrap = new Option<int>("--bootstrap") { Description = "bootstrap rounds for the 95 % intervals (at least 200)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "bootstrap seed: the same seed gives the same intervals", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "print [{\"model\",\"rating\",\"lower\",\"upper\",\"battles\",\"wins\",\"ties\",\"losses\"}, …]" };
        var cmd = new Command("ratings", "Print the ratings with their 95 % intervals, best first") { votes, db, style, bootstrap, seed, json };
        cmd.SetAction(r =>
        {
            if (r.GetValue(votes) != null && r.GetValue(db) != null) throw new UsageException("give --votes or --db, not both");
            if (r.GetValue(bootstrap) < 1) throw new UsageException("--bootstrap must be positive");
            IReadOnlyList<ArenaBattle> battles;
            string source;
            if (r.GetValue(votes) is { } file)
            {
                battles = ArenaVotes.Read(file);
                source = file;
            }
            else
            {
                using var store = ArenaStore.Open(r.GetValue(db) ?? ResultStore.DefaultPath);
                battles = store.All();
                source = store.FilePath;
            }
            var board = ArenaRatings.Compute(battles, new ArenaRatingOptions
            {
                Bootstrap = r.GetValue(bootstrap), Seed = r.GetValue(seed), StyleControl = r.GetValue(style),
            });
            if (r.GetValue(json)) PrintJson(board);
            else PrintTable(board, source);
            return 0;
        });
        return cmd;
    }

    private static Command ExportCommand()
    {
        var db = DbOption();
        var output = new Option<string>("--out") { Description = "the JSONL file to write (one battle a line)", Required = true };
        var cmd = new Command("export", "Write every stored battle to a JSONL file, oldest first") { db, output };
        cmd.SetAction(r =>
        {
            using var store = ArenaStore.Open(r.GetValue(db) ?? ResultStore.DefaultPath);
            var battles = store.All();
            string path = r.GetValue(output)!;
            ArenaVotes.Write(path, battles);
            Console.Out.WriteLine($"exported {battles.Count} battles from {store.FilePath} to {path}");
            return 0;
        });
        return cmd;
    }

    private static Command ImportCommand()
    {
        var file = new Argument<string>("FILE") { Description = "a JSONL votes file" };
        var db = DbOption();
        var cmd = new Command("import", "Store the battles of a JSONL file; ids already stored are left as they are") { file, db };
        cmd.SetAction(r =>
        {
            var battles = ArenaVotes.Read(r.GetValue(file)!);
            using var store = ArenaStore.Open(r.GetValue(db) ?? ResultStore.DefaultPath);
            int added = store.Import(battles);
            Console.Out.WriteLine($"{added} new battles of {battles.Count} imported into {store.FilePath}");
            return 0;
        });
        return cmd;
    }

    private static void PrintTable(ArenaLeaderboard board, string source)
    {
        var sb = new StringBuilder();
        if (board.Ratings.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"no arena votes in {source}");
            if (board.Skipped > 0) sb.Append(CultureInfo.InvariantCulture, $" with style features ({board.Skipped} battles without them skipped)");
            Console.Out.WriteLine(sb.ToString());
            return;
        }
        string[] header = ["#", "model", "rating", "95 % CI", "battles", "wins", "ties", "losses"];
        var rows = new List<string[]> { header };
        int rank = 0;
        foreach (var x in board.Ratings)
        {
            rank++;
            rows.Add([
                rank.ToString(CultureInfo.InvariantCulture), x.Model, x.Rating.ToString("F1", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"−{x.Rating - x.Lower:F1}/+{x.Upper - x.Rating:F1}"),
                Int(x.Battles), Int(x.Wins), Int(x.Ties), Int(x.Losses),
            ]);
        }
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        bool[] right = [true, false, true, true, true, true, true, true];
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append("| ").AppendJoin(" | ", rows[i].Select((cell, c) => right[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).Append(" |\n");
            if (i == 0) sb.Append('|').AppendJoin('|', widths.Select((w, c) => c < 2 ? new string('-', w + 2) : new string('-', w + 1) + ":")).Append("|\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"{board.Battles} battles");
        if (board.StyleControl) sb.Append(CultureInfo.InvariantCulture, $", style control ({board.Skipped} without style features skipped)");
        sb.Append('\n');
        if (!board.Settled)
        {
            var few = board.Ratings.Where(r => r.Battles < ArenaRatings.MinBattles).Select(r => r.Model).ToList();
            sb.Append(few.Count > 0
                ? $"not enough votes yet: {string.Join(", ", few)} {(few.Count == 1 ? "has" : "have")} fewer than {ArenaRatings.MinBattles} battles\n"
                : "not enough votes yet: intervals overlap\n");
        }
        Console.Out.Write(sb.ToString());
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static void PrintJson(ArenaLeaderboard board)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var x in board.Ratings)
            {
                w.WriteStartObject();
                w.WriteString("model", x.Model);
                w.WriteNumber("rating", x.Rating);
                w.WriteNumber("lower", x.Lower);
                w.WriteNumber("upper", x.Upper);
                w.WriteNumber("battles", x.Battles);
                w.WriteNumber("wins", x.Wins);
                w.WriteNumber("ties", x.Ties);
                w.WriteNumber("losses", x.Losses);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stream.WriteByte((byte)'\n');
    }
}
