// weft leaderboard [--task T] [--json] [--db PATH] [--report DIR]: every stored evaluation run, models × tasks.
using System.CommandLine;
using System.Text.Json;
using Weft.Evaluation.Reports;
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;

namespace Weft.Cli.Verbs;

internal static class LeaderboardVerb
{
    public static Command Create()
    {
        var task = new Option<string?>("--task") { Description = "only this task" };
        var json = new Option<bool>("--json") { Description = "print {\"tasks\":[…],\"rows\":[…]} instead of a Markdown table" };
        var db = new Option<string?>("--db") { Description = "results database (default ~/.weft/weft.db, or $WEFT_HOME/weft.db)" };
        var report = new Option<string?>("--report") { Description = "also write a self-contained HTML report (index.html) into this folder" };
        var cmd = new Command("leaderboard", "Rank the models of every stored `weft eval` run") { task, json, db, report };
        cmd.SetAction(r =>
        {
            string? only = r.GetValue(task);
            using var store = ResultStore.Open(r.GetValue(db));
            var models = store.Models();
            var board = Leaderboard.Build(models, store.Runs(only), only);
            if (r.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(board, ResultJson.Options));
            else if (board.Rows.Count == 0) Console.Out.WriteLine($"no results in {store.FilePath}{(only != null ? $" for task '{only}'" : "")}; run `weft eval` first");
            else Console.Out.Write(MarkdownTable.Render(board));
            if (r.GetValue(report) is { } dir)
            {
                var runs = store.Runs(only, withItems: true);
                var shown = models.Where(m => runs.Any(x => x.Model == m.Model) || only == null).ToList();
                string path = HtmlReport.Write(dir, new EvalReport(shown, runs), only == null ? "Weft leaderboard" : $"Weft leaderboard: {only}");
                Console.Error.WriteLine($"report: {path}");
            }
            return 0;
        });
        return cmd;
    }
}
