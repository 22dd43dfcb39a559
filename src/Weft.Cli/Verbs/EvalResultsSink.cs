// Where `weft eval` puts results as they come: the --json file (rewritten whole, temp then rename, after each
// result) and the leaderboard database; at the end the Markdown table and the HTML report.
using Weft.Evaluation.Reports;
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;

namespace Weft.Cli.Verbs;

/// <param name="dbPath">the database, "" for the default one, null for none</param>
internal sealed class EvalResultsSink(EvalReport previous, string? jsonPath, string? dbPath)
{
    private readonly List<ModelFacts> _models = [.. previous.Models];
    private readonly List<TaskRun> _runs = [.. previous.Runs];

    public EvalReport Report => new(_models, _runs);

    public void Add(ModelFacts facts)
    {
        int i = _models.FindIndex(m => m.Model == facts.Model);
        if (i >= 0) _models[i] = facts; else _models.Add(facts);
        if (jsonPath != null) ResultFile.Write(jsonPath, Report);
        Store(s => s.Save(facts));
    }

    public void Add(TaskRun run)
    {
        _runs.RemoveAll(r => r.Model == run.Model && r.Task == run.Task);
        _runs.Add(run);
        if (jsonPath != null) ResultFile.Write(jsonPath, Report);
        // A failed run does not replace a good stored one.
        if (run.Error == null) Store(s => s.Save(run));
    }

    private void Store(Action<ResultStore> write)
    {
        if (dbPath == null) return;
        using var store = ResultStore.Open(dbPath.Length == 0 ? null : dbPath);
        write(store);
    }

    public static string Machine() => MachineInfo.Describe();

    public static string WriteHtml(string dir, EvalReport report) => HtmlReport.Write(dir, report, "Weft evaluation");

    public static string Table(EvalReport report) => MarkdownTable.Render(Leaderboard.Build(report.Models, report.Runs));
}
