// The leaderboard as a GitHub-flavoured Markdown table (what `weft eval` and `weft leaderboard` print).
using System.Text;

namespace Weft.Evaluation.Reports;

/// <summary>Renders a <see cref="Leaderboard"/>: rank, model, one column per task (primary ± stderr), the average of
/// normalised scores, file size, prompt and generation tokens/s, blended USD per million tokens.</summary>
public static class MarkdownTable
{
    public static string Render(Leaderboard board)
    {
        var all = board.Rows.SelectMany(r => r.Runs.Values).ToList();
        var header = new List<string> { "#", "model" };
        header.AddRange(board.Tasks.Select(t => Display.TaskHeading(t, all)));
        header.AddRange(["avg", "size", "prompt tok/s", "gen tok/s", "$/Mtok"]);
        var sb = new StringBuilder();
        Line(sb, header);
        Line(sb, header.Select((_, i) => i < 2 ? "---" : "---:"));
        int rank = 0;
        foreach (var row in board.Rows)
        {
            rank++;
            var m = row.Model;
            var cells = new List<string> { rank.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Error == null ? m.Model : $"{m.Model} (failed: {m.Error})" };
            cells.AddRange(board.Tasks.Select(t => row.Runs.TryGetValue(t, out var run) ? Display.Primary(run) : "—"));
            cells.Add(Display.Optional(row.Average));
            cells.Add(Display.Bytes(m.FileBytes));
            cells.Add(Display.Optional(m.PromptTps));
            cells.Add(Display.Optional(m.GenTps));
            cells.Add(Display.Optional(m.CostBlended));
            Line(sb, cells);
        }
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IEnumerable<string> cells) =>
        sb.Append("| ").Append(string.Join(" | ", cells.Select(Escape))).Append(" |\n");

    private static string Escape(string cell) => cell.Replace("|", "\\|").Replace("\n", " ").Replace("\r", "");
}
