// Runs every task on every model, one model loaded at a time: its facts and speed first, then each task; each
// (model, task) result is handed to the caller as soon as it is finished, so an interrupted run loses nothing.
// A model that fails to load, or a task that fails on one model, is recorded with its error and the run goes on.
using System.Diagnostics;
using System.Text.Json;
using Weft.Evaluation.Data;
using Weft.Evaluation.Models;
using Weft.Evaluation.Reports;
using Weft.Evaluation.Results;
using Weft.Evaluation.Scoring;
using Weft.Evaluation.Tasks;
using Weft.Tensors;

namespace Weft.Evaluation.Running;

public sealed class EvalRunner(EvalOptions options, ProgressLine progress, TextWriter log)
{
    /// <summary>Called as each model's facts are known (before its tasks) and as each (model, task) finishes.</summary>
    public Action<ModelFacts>? ModelFinished { get; init; }
    public Action<TaskRun>? RunFinished { get; init; }

    /// <summary>Describes this machine (CPU, ISAs) beside local speeds.</summary>
    public Func<string>? Machine { get; init; }

    /// <summary>The KL divergence run of a perplexity task is stored under this name.</summary>
    public static string KldTaskName(string task) => task + ":kld";

    /// <summary>Loads every task's documents, downloading what is missing (a missing or malformed file is an error
    /// before any model runs).</summary>
    public Dictionary<string, IReadOnlyList<JsonElement>> LoadData()
    {
        var data = new Dictionary<string, IReadOnlyList<JsonElement>>();
        foreach (var task in options.Tasks)
        {
            string? file = options.DataFiles.GetValueOrDefault(task.Name) ?? options.DataFiles.GetValueOrDefault("");
            data[task.Name] = TaskData.Load(task, file, options.DataFolders, options.Download);
        }
        return data;
    }

    public EvalReport Run(IReadOnlyList<ModelSpec> models, CancellationToken cancel = default)
    {
        var data = LoadData();
        var facts = new List<ModelFacts>();
        var runs = new List<TaskRun>();
        ITokenLevelModel? kldBase = null;
        try
        {
            foreach (var spec in models)
            {
                cancel.ThrowIfCancellationRequested();
                var pending = options.Tasks.Where(t => !options.AlreadyDone(spec.Name, t.Name)
                    || (options.KldBase != null && t.Kind == TaskKind.Perplexity && !IsKldBase(spec) && !options.AlreadyDone(spec.Name, KldTaskName(t.Name)))).ToList();
                if (pending.Count == 0) { log.WriteLine($"{spec.Name}: every task already done (--resume)"); continue; }
                var model = TryOpen(spec, facts);
                if (model == null) continue;
                try
                {
                    var f = Facts(spec, model, cancel);
                    facts.Add(f);
                    ModelFinished?.Invoke(f);
                    foreach (var task in pending)
                    {
                        if (!options.AlreadyDone(spec.Name, task.Name)) Record(runs, RunTask(task, data[task.Name], model, cancel));
                        if (options.KldBase != null && task.Kind == TaskKind.Perplexity && !IsKldBase(spec) && !options.AlreadyDone(spec.Name, KldTaskName(task.Name)))
                        {
                            kldBase ??= OpenBase();
                            Record(runs, RunKld(task, data[task.Name], model, kldBase, cancel));
                        }
                    }
                }
                finally
                {
                    model.Dispose();
                }
            }
        }
        finally
        {
            kldBase?.Dispose();
        }
        return new EvalReport(facts, runs);
    }

    /// <summary>The base itself among the models: its divergence from itself is not worth a run.</summary>
    private bool IsKldBase(ModelSpec spec) => options.KldBase is { } b && !spec.IsRemote && !b.IsRemote
        && Path.GetFullPath(spec.Source) == Path.GetFullPath(b.Source) && spec.Adapters.SequenceEqual(b.Adapters);

    private void Record(List<TaskRun> runs, TaskRun run)
    {
        runs.Add(run);
        RunFinished?.Invoke(run);
    }

    /// <summary>The model, or null when it fails to load: then its failure is recorded in <paramref name="facts"/> and
    /// the other models run.</summary>
    private IEvalModel? TryOpen(ModelSpec spec, List<ModelFacts> facts)
    {
        try
        {
            return Open(spec);
        }
        catch (Exception e) when (e is EvalModelException or IOException or ArgumentException or NotSupportedException)
        {
            log.WriteLine($"{spec.Name}: failed to load: {e.Message}");
            var failed = FailedFacts(spec, e.Message);
            facts.Add(failed);
            ModelFinished?.Invoke(failed);
            return null;
        }
    }

    private IEvalModel Open(ModelSpec spec)
    {
        if (spec.IsRemote)
        {
            if (spec.Adapters.Count > 0) throw new ArgumentException($"{spec.Source}: --lora applies to local models only");
            var (url, id) = spec.Remote();
            string? key = spec.ApiKey ?? options.ApiKey;
            return new OpenAiEvalModel(url, id, key is { Length: > 0 } ? key : null);
        }
        return new LocalEvalModel(spec.Source, spec.Adapters, options.Threads);
    }

    private ITokenLevelModel OpenBase()
    {
        var spec = options.KldBase!;
        if (spec.IsRemote) throw new ArgumentException("--kld-base must be a local model: KL divergence needs every token's probability");
        return new LocalEvalModel(spec.Source, spec.Adapters, options.Threads, name: spec.Name + " (base)");
    }

    private ModelFacts Facts(ModelSpec spec, IEvalModel model, CancellationToken cancel)
    {
        if (model is OpenAiEvalModel remote)
        {
            double? ttft = null, tps = null;
            string? error = null;
            if (options.MeasureSpeed)
            {
                try { (ttft, tps) = remote.MeasureSpeed("The quick brown fox", 32, cancel); }
                catch (Exception e) when (e is EvalModelException or HttpRequestException or IOException) { error = "speed: " + e.Message; }
            }
            var price = spec.Price ?? options.RemotePrice;
            return new ModelFacts(spec.Name, "remote", spec.Source, null, null, null, null, tps, ttft,
                price?.Input, price?.Output, price is { } p ? Cost.Blended(p.Input, p.Output) : null, null, error);
        }
        var local = (LocalEvalModel)model;
        var m = local.Model;
        long parameters = m.File.Tensors.Sum(t => t.ElementCount);
        string weightType = m.File.Tensors.Where(t => t.Shape.Length >= 2).GroupBy(t => t.Type)
            .OrderByDescending(g => g.Sum(t => t.ByteSize)).Select(g => TypeTraits.NameOf(g.Key)).FirstOrDefault() ?? "?";
        double? pp = null, tg = null, cin = null, cout = null, blended = null;
        if (options.MeasureSpeed)
        {
            progress.Begin($"{spec.Name} speed", 1);
            var s = SpeedProbe.Measure(m, options.Threads);
            progress.End($"prompt {s.PromptTps:F1} tok/s, generation {s.GenTps:F1} tok/s, {s.Threads} threads");
            pp = s.PromptTps;
            tg = s.GenTps;
            cin = Cost.PerMillion(options.PricePerHour, s.PromptTps);
            cout = Cost.PerMillion(options.PricePerHour, s.GenTps);
            blended = Cost.Blended(cin.Value, cout.Value);
        }
        return new ModelFacts(spec.Name, "local", spec.Source, SizeOnDisk(spec), parameters, weightType, pp, tg, null,
            cin, cout, blended, Machine?.Invoke());
    }

    private static long? SizeOnDisk(ModelSpec spec)
    {
        long size = 0;
        if (File.Exists(spec.Source)) size = new FileInfo(spec.Source).Length;
        else if (Directory.Exists(spec.Source))
            size = Directory.EnumerateFiles(spec.Source, "*.safetensors").Sum(f => new FileInfo(f).Length);
        foreach (var a in spec.Adapters) if (File.Exists(a.Path)) size += new FileInfo(a.Path).Length;
        return size > 0 ? size : null;
    }

    private static ModelFacts FailedFacts(ModelSpec spec, string error) =>
        new(spec.Name, spec.IsRemote ? "remote" : "local", spec.Source, null, null, null, null, null, null, null, null, null, null, error);

    private TaskRun RunTask(TaskDefinition task, IReadOnlyList<JsonElement> docs, IEvalModel model, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        string label = $"{model.Name} {task.Name}";
        long? evaluatedBefore = (model as LocalEvalModel)?.TokensEvaluated;
        try
        {
            Dictionary<string, double> metrics;
            List<ItemResult> items = [];
            int count;
            var selected = Enumerable.Range(0, options.Limit is int l && l > 0 ? Math.Min(l, docs.Count) : docs.Count).ToList();
            switch (task.Kind)
            {
                case TaskKind.MultipleChoice:
                    progress.Begin(label, 1);
                    (metrics, items) = MultipleChoice.Run(task, docs, selected, model, (d, t) => Report(label, d, t), cancel);
                    count = items.Count;
                    break;
                case TaskKind.GenerateUntil:
                    progress.Begin(label, selected.Count);
                    (metrics, items) = GenerateUntil.Run(task, docs, selected, model, (d, t) => Report(label, d, t), cancel);
                    count = items.Count;
                    break;
                case TaskKind.RollingPerplexity:
                {
                    var templates = new DocTemplates(task);
                    var texts = selected.Select(i => templates.Text(docs[i])).ToList();
                    progress.Begin(label, texts.Count);
                    metrics = RollingPerplexity.Run(model, texts, (d, t) => Report(label, d, t), cancel);
                    count = texts.Count;
                    break;
                }
                case TaskKind.Perplexity:
                {
                    var local = TokenLevel(model, task);
                    int ctx = ContextFor(task, local);
                    progress.Begin(label, 1);
                    metrics = Perplexity.Run(local, Text(task, docs), ctx, options.Limit, (d, t) => Report(label, d, t), cancel);
                    count = (int)metrics.GetValueOrDefault("chunks");
                    break;
                }
                default:
                    throw new TaskFileException($"{task.Origin}: kind {task.Kind} cannot run");
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (task.Kind == TaskKind.MultipleChoice)
                ScoringSpeed.Add(metrics, (model as LocalEvalModel)?.TokensEvaluated - evaluatedBefore, items.Sum(i => (long)i.NTokens.Sum()), seconds);
            string speed = ScoringSpeed.Summary(metrics);
            progress.End(Summary(task.PrimaryMetric, metrics) + (speed.Length > 0 ? ", " + speed : ""));
            return new TaskRun(model.Name, task.Name, task.Version, task.PrimaryMetric, task.HigherIsBetter, metrics, items, count,
                seconds, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (IsTaskFailure(e) && !cancel.IsCancellationRequested)
        {
            progress.End("failed: " + e.Message);
            return Failed(model.Name, task.Name, task.Version, task.PrimaryMetric, task.HigherIsBetter, clock, e);
        }
    }

    private TaskRun RunKld(TaskDefinition task, IReadOnlyList<JsonElement> docs, IEvalModel model, ITokenLevelModel baseModel, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        string name = KldTaskName(task.Name), label = $"{model.Name} {name}";
        try
        {
            var local = TokenLevel(model, task);
            int ctx = ContextFor(task, local);
            progress.Begin(label, 1);
            var metrics = KlDivergence.Run(local, baseModel, Text(task, docs), ctx, options.Limit, (d, t) => Report(label, d, t), cancel);
            progress.End(Summary("kld_mean", metrics));
            return new TaskRun(model.Name, name, task.Version, "kld_mean", false, metrics, [], (int)metrics.GetValueOrDefault("chunks"),
                clock.Elapsed.TotalSeconds, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (IsTaskFailure(e) && !cancel.IsCancellationRequested)
        {
            progress.End("failed: " + e.Message);
            return Failed(model.Name, name, task.Version, "kld_mean", false, clock, e);
        }
    }

    private void Report(string label, int done, int total)
    {
        if (total <= 0) return;
        progress.Retotal(total);
        progress.Report(done);
    }

    private static bool IsTaskFailure(Exception e) => e is EvalModelException or TaskDataException or TaskFileException
        or ArgumentException or InvalidOperationException or NotSupportedException or IOException or HttpRequestException
        || e.GetType().Name is "ContextOverflowException" or "TemplateException";

    private static TaskRun Failed(string model, string task, string version, string primary, bool higher, Stopwatch clock, Exception e) =>
        new(model, task, version, primary, higher, new Dictionary<string, double>(), [], 0, clock.Elapsed.TotalSeconds, DateTimeOffset.UtcNow, e.Message);

    private static ITokenLevelModel TokenLevel(IEvalModel model, TaskDefinition task) => model as ITokenLevelModel
        ?? throw new NotSupportedException($"{task.Name} needs every token's log-probability: it runs on local models only (a remote endpoint can run rolling perplexity, e.g. wikitext)");

    private int ContextFor(TaskDefinition task, ITokenLevelModel model)
    {
        int ctx = options.Context ?? task.Context ?? 512;
        if (model is LocalEvalModel l && ctx > l.Model.Config.TrainContextLength)
            throw new ArgumentException($"--ctx {ctx} is more than {model.Name} was trained on ({l.Model.Config.TrainContextLength})");
        return ctx;
    }

    /// <summary>The text a perplexity task reads: its documents rendered and joined by line breaks.</summary>
    private static string Text(TaskDefinition task, IReadOnlyList<JsonElement> docs)
    {
        var templates = new DocTemplates(task);
        return string.Join("\n", docs.Select(templates.Text));
    }

    private static string Summary(string primary, IReadOnlyDictionary<string, double> m)
    {
        string value = m.TryGetValue(primary, out var v) ? v.ToString("G5", System.Globalization.CultureInfo.InvariantCulture) : "?";
        string err = m.TryGetValue(primary + "_stderr", out var s) ? " ± " + s.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "";
        return $"{primary} {value}{err}";
    }
}
