// weft eval MODEL… [--lora A] --task a,b [--limit N] [--data FILE|task=FILE] [--ctx N] [--kld-base BASE] [--json FILE]
// [--report DIR] [--resume] [--offline] [--endpoints FILE]: quality, speed and cost of several models side by side.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Weft.Evaluation.Models;
using Weft.Evaluation.Results;
using Weft.Evaluation.Running;
using Weft.Evaluation.Tasks;
using Weft.Models.Adapters;

namespace Weft.Cli.Verbs;

internal static class EvalVerb
{
    private static readonly HashSet<string> Flags = ["--resume", "--no-speed", "--no-store", "--list-tasks", "--offline"];

    public static Command Create()
    {
        var models = new Argument<string[]>("MODELS")
        {
            Description = "GGUF files, checkpoint folders, openai:URL#model endpoints or models of the endpoints file (MODEL or ENDPOINT/MODEL); `--lora A` right after a local model adds that model with the adapter",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var lora = new Option<string[]>("--lora") { Description = "a LoRA adapter (FILE or FILE@SCALE) for the model named just before it" };
        var tasks = new Option<string[]>("--task") { Description = "task names or task files, comma-separated or repeated (see --list-tasks)" };
        var list = new Option<bool>("--list-tasks") { Description = "list the built-in tasks" };
        var limit = new Option<int?>("--limit") { Description = "first N items of each task (perplexity: N chunks)" };
        var data = new Option<string[]>("--data") { Description = "FILE for every task, or TASK=FILE; repeatable" };
        var dataDir = new Option<string[]>("--data-dir") { Description = "a folder searched for tasks' usual files (before ~/.weft/data and .)" };
        var offline = new Option<bool>("--offline")
        {
            Description = $"never download a task's data from its URL into ~/.weft/data (also ${DataDownload.OfflineVariable}=1)",
        };
        var ctx = new Option<int?>("--ctx", "-c") { Description = "perplexity and KLD chunk length in tokens (default: the task's, else 512)" };
        var kld = new Option<string?>("--kld-base") { Description = "base model: KL divergence of each model against it on the perplexity tasks" };
        var json = new Option<string?>("--json") { Description = "write every result (metrics, items, speeds) to this JSON file as each finishes" };
        var report = new Option<string?>("--report") { Description = "write a self-contained HTML report (and results.json) into this folder" };
        var resume = new Option<bool>("--resume") { Description = "skip the (model, task) results already in the --json file (or the report's results.json)" };
        var price = new Option<double>("--price-per-hour") { Description = "this machine's price in USD per hour, for cost per million tokens", DefaultValueFactory = _ => Weft.Evaluation.Reports.Cost.DefaultPricePerHour };
        var remotePrice = new Option<string?>("--remote-price") { Description = "declared price of remote endpoints: IN,OUT USD per million tokens" };
        var keyEnv = new Option<string>("--api-key-env") { Description = "environment variable holding the remote endpoints' API key", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var endpoints = new Option<string?>("--endpoints") { Description = "FILE: the endpoints file whose models may be named (default ~/.weft/endpoints.yaml when there; docs/gateway.md)" };
        var noSpeed = new Option<bool>("--no-speed") { Description = "do not measure speed (and cost)" };
        var noStore = new Option<bool>("--no-store") { Description = "do not add the results to the leaderboard database" };
        var db = new Option<string?>("--db") { Description = "the leaderboard database (default ~/.weft/weft.db)" };
        var threads = Common.ThreadsOption();
        var cmd = new Command("eval", "Evaluate and compare models: quality (tasks), speed and cost, side by side")
        {
            models, lora, tasks, list, limit, data, dataDir, offline, ctx, kld, json, report, resume, price, remotePrice, keyEnv, endpoints, noSpeed, noStore, db, threads,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(list)) { ListTasks(); return 0; }
            var specs = Specs(r, r.GetValue(models) ?? [], r.GetValue(lora) ?? []);
            if (EndpointModels.Load(r.GetValue(endpoints)) is { } declared) specs = [.. specs.Select(declared.Resolve)];
            if (specs.Count == 0) throw new UsageException("name at least one model (a GGUF file, a checkpoint folder or openai:URL#model)");
            var dataFiles = DataFiles(r.GetValue(data) ?? []);
            var taskNames = (r.GetValue(tasks) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (taskNames.Count == 0)
            {
                if (dataFiles.Count == 0) throw new UsageException("name the tasks with --task (built in: " + string.Join(", ", BuiltinTasks.Names) + "), or give --data FILE for perplexity");
                taskNames.Add("perplexity");
            }
            var defs = taskNames.Distinct().Select(BuiltinTasks.Resolve).ToList();
            foreach (var dkey in dataFiles.Keys)
                if (dkey != "" && defs.All(d => d.Name != dkey)) throw new UsageException($"--data {dkey}=…: {dkey} is not among the tasks ({string.Join(", ", defs.Select(d => d.Name))})");
            if (r.GetValue(limit) is <= 0) throw new UsageException("--limit must be at least 1");
            if (r.GetValue(ctx) is < 4) throw new UsageException("--ctx must be at least 4");
            if (r.GetValue(threads) < 1) throw new UsageException("-t must be at least 1");

            string? reportDir = r.GetValue(report);
            string? jsonPath = r.GetValue(json) ?? (reportDir == null ? null : Path.Combine(reportDir, "results.json"));
            var previous = new EvalReport([], []);
            if (r.GetValue(resume))
            {
                if (jsonPath == null) throw new UsageException("--resume needs the --json FILE (or --report DIR) of the run to continue");
                if (File.Exists(jsonPath)) previous = Weft.Evaluation.Storage.ResultFile.Read(jsonPath);
            }
            var done = previous.Runs.Where(x => x.Error == null).Select(x => (x.Model, x.Task)).ToHashSet();

            var bar = new DownloadLine();
            var options = new EvalOptions
            {
                Tasks = defs,
                Limit = r.GetValue(limit),
                DataFiles = dataFiles,
                DataFolders = [.. r.GetValue(dataDir) ?? [], .. TaskData.DefaultFolders()],
                Download = new DataDownload
                {
                    Offline = r.GetValue(offline) || DataDownload.OfflineFromEnvironment(),
                    Progress = bar.Show,
                    Log = line =>
                    {
                        bar.End();
                        Console.Error.WriteLine(line);
                    },
                },
                Context = r.GetValue(ctx),
                KldBase = r.GetValue(kld) is { } k ? new ModelSpec(k, []) : null,
                Threads = r.GetValue(threads),
                MeasureSpeed = !r.GetValue(noSpeed),
                PricePerHour = r.GetValue(price),
                RemotePrice = ParsePrice(r.GetValue(remotePrice)),
                ApiKey = Environment.GetEnvironmentVariable(r.GetValue(keyEnv)!) is { Length: > 0 } key ? key : null,
                AlreadyDone = (m, t) => done.Contains((m, t)),
            };
            var results = new EvalResultsSink(previous, jsonPath, r.GetValue(noStore) ? null : r.GetValue(db) ?? "");
            var runner = new EvalRunner(options, new ProgressLine(Console.Error, !Console.IsErrorRedirected), Console.Error)
            {
                ModelFinished = results.Add,
                RunFinished = results.Add,
                Machine = EvalResultsSink.Machine,
            };
            runner.Run(specs);
            var all = results.Report;
            Console.Out.Write(EvalResultsSink.Table(all));
            if (jsonPath != null) Console.Error.WriteLine($"results: {jsonPath}");
            if (reportDir != null) Console.Error.WriteLine($"report: {EvalResultsSink.WriteHtml(reportDir, all)}");
            return all.Runs.Any(x => x.Error != null) || all.Models.Any(m => m.Error != null) ? 2 : 0;
        });
        return cmd;
    }

    private static void ListTasks()
    {
        foreach (var name in BuiltinTasks.Names)
        {
            var t = BuiltinTasks.Resolve(name);
            Console.Out.WriteLine($"{name,-18} {t.Kind,-18} primary {t.PrimaryMetric,-16} data {t.Dataset.File ?? t.Dataset.Format}");
        }
    }

    /// <summary>The models in command-line order; a `--lora` attaches to the local model named last before it (that
    /// model is then evaluated both with and without it).</summary>
    private static List<ModelSpec> Specs(ParseResult r, string[] models, string[] adapters)
    {
        var specs = models.Select(m => new ModelSpec(m, [])).ToList();
        if (adapters.Length == 0) return specs;
        var tokens = r.Tokens;
        int nextModel = 0, last = -1, nextAdapter = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Type == TokenType.Option && t.Value == "--lora" && i + 1 < tokens.Count)
            {
                if (last < 0) throw new UsageException($"--lora {tokens[i + 1].Value} comes before any model: put it right after the model it adapts");
                if (nextAdapter >= adapters.Length) break;
                string[] parts = adapters[nextAdapter++].Split('@', 2);
                float scale = 1f;
                if (parts.Length == 2 && !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out scale))
                    throw new UsageException($"--lora {parts[0]}@{parts[1]}: '{parts[1]}' is not a scale");
                if (!File.Exists(parts[0])) throw new UsageException($"the adapter '{parts[0]}' does not exist");
                var target = specs[last];
                var adapted = new ModelSpec(target.Source, [.. target.Adapters, new LoraSpec(parts[0], scale)]);
                if (target.Adapters.Count == 0) specs.Insert(last + 1, adapted);
                else specs[last] = adapted;
                last = specs.IndexOf(adapted);
                i++;
                continue;
            }
            bool isValue = i > 0 && tokens[i - 1].Type == TokenType.Option && !Flags.Contains(tokens[i - 1].Value);
            if (t.Type == TokenType.Argument && !isValue && nextModel < models.Length && t.Value == models[nextModel])
            {
                last = specs.FindIndex(s => s.Source == models[nextModel] && s.Adapters.Count == 0 && specs.IndexOf(s) > last);
                nextModel++;
            }
        }
        return specs;
    }

    private static Dictionary<string, string> DataFiles(string[] values)
    {
        var map = new Dictionary<string, string>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            string task = eq > 0 && !File.Exists(v) ? v[..eq] : "", file = eq > 0 && !File.Exists(v) ? v[(eq + 1)..] : v;
            if (!File.Exists(file)) throw new UsageException($"--data {v}: the file '{file}' does not exist");
            if (!map.TryAdd(task, file)) throw new UsageException($"--data given twice for {(task == "" ? "every task" : task)}");
        }
        return map;
    }

    private static (double, double)? ParsePrice(string? text)
    {
        if (text == null) return null;
        var parts = text.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && a >= 0 && b >= 0) return (a, b);
        throw new UsageException($"--remote-price {text}: give IN,OUT in USD per million tokens, e.g. 0.2,0.6");
    }
}
