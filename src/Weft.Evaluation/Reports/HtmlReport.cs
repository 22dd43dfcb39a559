// `--report DIR`: one self-contained index.html (inline CSS, a few lines of inline JS to sort the table, inline SVG
// charts), readable offline and safe to mail around.
using System.Net;
using System.Text;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Reports;

/// <summary>Writes the HTML report of an <see cref="EvalReport"/>: the leaderboard (sortable by clicking a header),
/// quality vs tokens/s, vs cost and vs file size with the Pareto frontier, the machines, and per task every metric.</summary>
public static class HtmlReport
{
    public const string FileName = "index.html";

    /// <summary>Writes DIRECTORY/index.html (temporary file then rename) and returns its full path.</summary>
    public static string Write(string directory, EvalReport report, string? title = null)
    {
        string dir = Path.GetFullPath(directory);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, FileName);
        string temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllText(temp, Render(report, title ?? "Weft evaluation"), new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return path;
    }

    /// <summary>The page as text.</summary>
    public static string Render(EvalReport report, string title)
    {
        var board = Leaderboard.Build(report.Models, report.Runs);
        var all = board.Rows.SelectMany(r => r.Runs.Values).ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append($"<title>{H(title)}</title><style>{Css}</style></head><body>");
        sb.Append($"<h1>{H(title)}</h1>");
        sb.Append($"<p class=\"note\">{report.Runs.Count} runs of {board.Tasks.Count} tasks on {board.Rows.Count} models. " +
                  "The average puts each task's primary metric on a 0–1 scale (fractions as they are; perplexities as best ÷ value; " +
                  "KL divergence and other log-scale losses as exp(−(value − best))). Click a heading to sort.</p>");

        sb.Append("<h2>Leaderboard</h2><table id=\"board\" class=\"sortable\"><thead><tr>");
        var headings = new List<string> { "#", "model" };
        headings.AddRange(board.Tasks.Select(t => Display.TaskHeading(t, all)));
        headings.AddRange(["avg", "size", "prompt tok/s", "gen tok/s", "$/Mtok"]);
        foreach (string h in headings) sb.Append($"<th>{H(h)}</th>");
        sb.Append("</tr></thead><tbody>");
        int rank = 0;
        foreach (var row in board.Rows)
        {
            var m = row.Model;
            sb.Append("<tr>");
            Cell(sb, (++rank).ToString(), rank);
            sb.Append($"<td class=\"model\">{H(m.Model)}{(m.Error != null ? $" <span class=\"err\">failed: {H(m.Error)}</span>" : "")}</td>");
            foreach (string t in board.Tasks)
            {
                if (row.Runs.TryGetValue(t, out var run) && Leaderboard.Usable(run)) Cell(sb, Display.Primary(run), run.Metrics[run.Primary]);
                else Cell(sb, run == null ? "—" : Display.Primary(run), null);
            }
            Cell(sb, Display.Optional(row.Average), row.Average);
            Cell(sb, Display.Bytes(m.FileBytes), m.FileBytes);
            Cell(sb, Display.Optional(m.PromptTps), m.PromptTps);
            Cell(sb, Display.Optional(m.GenTps), m.GenTps);
            Cell(sb, Display.Optional(m.CostBlended), m.CostBlended);
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");

        sb.Append("<h2>Trade-offs</h2><p class=\"note\">Red points lie on the Pareto frontier (dashed): no other model is at least as good on both axes and better on one.</p><div class=\"charts\">");
        foreach (var spec in TradeOffCharts.For(board)) sb.Append("<figure>").Append(SvgChart.Render(spec)).Append("</figure>");
        sb.Append("</div>");

        var machines = report.Models.Select(m => m.Machine).Where(m => !string.IsNullOrEmpty(m)).Distinct().ToList();
        sb.Append("<h2>Machine</h2><ul>");
        if (machines.Count == 0) sb.Append("<li>not recorded</li>");
        foreach (string? machine in machines) sb.Append($"<li>{H(machine!)}</li>");
        sb.Append("</ul>");

        sb.Append("<h2>Tasks</h2>");
        foreach (string task in board.Tasks)
        {
            var runs = report.Runs.Where(r => r.Task == task).OrderBy(r => r.Model, StringComparer.Ordinal).ToList();
            var metrics = runs.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var first = runs[0];
            sb.Append($"<h3 id=\"task-{H(task)}\">{H(task)}</h3><p class=\"note\">version {H(first.TaskVersion)}; ranked by {H(first.Primary)} ({(first.HigherIsBetter ? "higher" : "lower")} is better)</p>");
            sb.Append("<table class=\"sortable\"><thead><tr><th>model</th><th>n</th><th>seconds</th>");
            foreach (string k in metrics) sb.Append($"<th>{H(k)}</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var r in runs)
            {
                sb.Append($"<tr><td class=\"model\">{H(r.Model)}{(r.Error != null ? $" <span class=\"err\">failed: {H(r.Error)}</span>" : "")}</td>");
                Cell(sb, r.Count.ToString(), r.Count);
                Cell(sb, Display.Number(r.Seconds), r.Seconds);
                foreach (string k in metrics)
                    if (r.Metrics.TryGetValue(k, out double v)) Cell(sb, Display.Number(v), double.IsFinite(v) ? v : null);
                    else Cell(sb, "—", null);
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table>");
        }
        sb.Append($"<script>{Script}</script></body></html>\n");
        return sb.ToString();
    }

    private static void Cell(StringBuilder sb, string text, double? sortKey) =>
        sb.Append(sortKey is double k
            ? $"<td class=\"num\" data-v=\"{k.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\">{H(text)}</td>"
            : $"<td class=\"num\">{H(text)}</td>");

    private static string H(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{padding:.3em .7em;border-bottom:1px solid #ddd}
        th{cursor:pointer;background:#f4f4f4;text-align:left;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
        td.num{text-align:right;font-variant-numeric:tabular-nums}.err{color:#b00}.note{color:#555}
        .charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #ddd;border-radius:6px}svg.chart{width:600px;max-width:100%;height:auto}
        """;

    // sorts a table by the clicked column: numbers by data-v (missing last), otherwise by text
    private const string Script = """
        document.querySelectorAll('table.sortable th').forEach(function(th){th.addEventListener('click',function(){
        var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,d=th.classList.contains('desc')?1:-1;
        t.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc')});th.classList.add(d>0?'asc':'desc');
        Array.from(b.rows).sort(function(x,y){var a=x.cells[i],c=y.cells[i],p=a.dataset.v,q=c.dataset.v;
        if(p!==undefined||q!==undefined){if(p===undefined)return 1;if(q===undefined)return -1;return d*(p-q);}
        return d*a.textContent.localeCompare(c.textContent);}).forEach(function(r){b.appendChild(r)});});});
        """;
}
