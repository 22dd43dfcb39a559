// weft compare MODEL MODEL… --prompt TEXT: the answers of 2 to 4 models (or of one model named several times) to one
// prompt, generated at the same time and shown side by side.
using System.CommandLine;
using Weft.Inference.Batching;
using Weft.Inference.Chat;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Models.Adapters;
using Weft.Models.Loading;
using Weft.Server.Hosting;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class CompareVerb
{
    public const int MinColumns = 2, MaxColumns = 4;

    public static Command Create()
    {
        var models = new Argument<string[]>("MODEL")
        {
            Description = $"{MinColumns} to {MaxColumns} GGUF files or checkpoint folders, one column each; a model may be named more than once, "
                + "MODEL+ADAPTER.gguf[@SCALE] (more adapters joined by +) is that model with those LoRA adapters, e.g. base.gguf base.gguf+med.gguf, "
                + "openai:URL#model is a remote OpenAI-compatible endpoint (key from $OPENAI_API_KEY), and MODEL or ENDPOINT/MODEL "
                + "a model of the endpoints file (with its endpoint's key)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var prompt = new Option<string>("--prompt", "-p") { Description = "the prompt, sent as a user message through each model's own chat template", Required = true };
        var system = new Option<string?>("--system") { Description = "a system prompt before the user message" };
        var raw = new Option<bool>("--raw") { Description = "send the prompt as plain text (BOS added as the model asks), without a chat template" };
        var template = new Option<string?>("--template") { Description = "a built-in template name or a Jinja file for every model (default: each model's own, else chatml)" };
        var count = new Option<int>("-n", "--n-predict") { Description = "most tokens per answer", DefaultValueFactory = _ => 128 };
        var json = new Option<bool>("--json") { Description = "print one JSON object once every column is done" };
        var endpoints = new Option<string?>("--endpoints") { Description = "FILE: the endpoints file whose models may be named (default ~/.weft/endpoints.yaml when there; docs/gateway.md)" };
        var sampling = new SamplingFlags();
        var lora = new LoraFlags();
        var threads = Common.ThreadsOption();
        threads.Description = "worker threads in all, split evenly among the distinct models (each gets at least 1; columns of one model share its share)";
        var ctx = Common.ContextOption();
        var cmd = new Command("compare",
            "Answer one prompt with 2 to 4 models at once, side by side. Columns of the same model share one loaded model and "
            + "are decoded in one batch; different models run at the same time, each on its own thread. Column K (from 1) samples "
            + "with seed S+K-1, S being --seed or drawn at random (and then printed). A column written MODEL+ADAPTER[@SCALE] "
            + "runs the model with that adapter, so a base and its adapted self can stand side by side; --lora adapters apply to "
            + "every named model they fit, as in weft serve, and one that fits none is an error. Under each column: tokens generated, time to first token (from the start of generation, every "
            + "model loaded), decoding tokens/s, prompt tokens and the stop reason")
        {
            models, prompt, system, raw, template, count, json, threads, ctx, endpoints,
        };
        sampling.AddTo(cmd);
        lora.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var paths = r.GetValue(models) ?? [];
            if (paths.Length is < MinColumns or > MaxColumns)
                throw new UsageException($"compare takes {MinColumns} to {MaxColumns} models; got {paths.Length}");
            int n = r.GetValue(count);
            if (n < 1) throw new UsageException("-n must be at least 1");
            if (r.GetValue(ctx) < 0) throw new UsageException("--ctx must not be negative");
            if (r.GetValue(threads) < 1) throw new UsageException("--threads must be at least 1");
            if (r.GetValue(raw) && (r.GetValue(system) != null || r.GetValue(template) != null))
                throw new UsageException("--raw sends no chat template: leave out --system and --template");
            var declared = EndpointModels.Load(r.GetValue(endpoints));
            var specs = paths.Select(p => declared?.Column(p) ?? ColumnSpec.Parse(p)).ToList();
            if (specs.Any(c => c.IsRemote) && (r.GetValue(raw) || r.GetValue(template) != null))
                throw new UsageException("a remote endpoint applies its own chat template: leave out --raw and --template, or compare local models only");
            var sample = sampling.Read(r);
            var options = new CompareOptions
            {
                Columns = specs,
                Prompt = r.GetValue(prompt)!,
                System = r.GetValue(system),
                Raw = r.GetValue(raw),
                Template = r.GetValue(template),
                MaxTokens = n,
                Sampling = sample,
                BaseSeed = sample.Seed ?? (ulong)Random.Shared.NextInt64(),
                Json = r.GetValue(json),
                Adapters = lora.Read(r),
                Threads = r.GetValue(threads),
                Context = r.GetValue(ctx),
            };
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                // The first Ctrl+C ends every column at its next step; the second one ends the process.
                if (cancel.IsCancellationRequested) return;
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                var columns = Compare(options, cancel.Token, out var view);
                if (r.GetValue(json)) CompareOutput.WriteJson(Console.Out, options, columns);
                else if (view != null) view.Finish();
                else CompareOutput.WriteBlocks(Console.Out, columns);
                if (!sample.IsGreedy && sample.Seed == null)
                    Console.Error.WriteLine($"weft: sampled with seed {options.BaseSeed} for column 1 (column K: +K-1); --seed {options.BaseSeed} repeats this");
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads each distinct model once, starts every column and waits for all; <paramref name="view"/> is the
    /// live terminal view when stdout is a terminal (and no JSON was asked for), else null.</summary>
    private static IReadOnlyList<CompareColumn> Compare(CompareOptions options, CancellationToken cancel, out LiveCompareView? view)
    {
        view = null;
        var groups = new List<ModelGroup>();
        try
        {
            // Which adapters fit which model is settled before any model is loaded (loading packs weights: seconds for big ones).
            var fitting = new Dictionary<string, IReadOnlyList<LoraSpec>>();
            foreach (var c in options.Columns.Where(c => !c.IsRemote))
                if (!fitting.ContainsKey(Path.GetFullPath(c.Path))) fitting[Path.GetFullPath(c.Path)] = FittingAdapters(c.Path, options.Adapters);
            CheckEachAdapterFitsAModel(options, fitting.Values);
            var columns = new List<CompareColumn>();
            var remote = new List<(CompareColumn Column, string Endpoint, string? Key, ulong Seed)>();
            for (int i = 0; i < options.Columns.Count; i++)
            {
                var (path, own) = options.Columns[i];
                if (options.Columns[i].IsRemote)
                {
                    ulong remoteSeed = unchecked(options.BaseSeed + (ulong)i);
                    var answer = new CompareColumn(i + 1, path, [], options.Sampling.IsGreedy ? null : remoteSeed, 0);
                    remote.Add((answer, path, options.Columns[i].ApiKey, remoteSeed));
                    columns.Add(answer);
                    continue;
                }
                // the column's own adapters, then the --lora ones that fit the model
                IReadOnlyList<LoraSpec> adapters = [.. own, .. fitting[Path.GetFullPath(path)].Where(a => !own.Contains(a))];
                string key = Path.GetFullPath(path) + string.Concat(adapters.Select(a => FormattableString.Invariant($"|{Path.GetFullPath(a.Path)}@{a.Scale}")));
                var group = groups.Find(g => g.Key == key);
                if (group == null)
                {
                    group = ModelGroup.Load(path, key, adapters, options);
                    groups.Add(group);
                }
                ulong seed = unchecked(options.BaseSeed + (ulong)i);
                var column = new CompareColumn(i + 1, path, group.Adapters, options.Sampling.IsGreedy ? null : seed, group.Prompt.Length);
                group.Columns.Add((column, options.Sampling with { Seed = seed }));
                columns.Add(column);
            }
            int[] shares = SplitThreads(options.Threads, groups.Count);
            if (!Console.IsOutputRedirected && !options.Json) view = new LiveCompareView(columns);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var running = new List<(CompareColumn Column, Task<GenerationResult> Result)>();
            for (int g = 0; g < groups.Count; g++)
                running.AddRange(groups[g].Start(shares[g], options.MaxTokens, clock, cancel));
            foreach (var (column, endpoint, key, seed) in remote)
                running.Add((column, CompareRemote.RunAsync(column, endpoint, key, options, seed, clock, cancel)));
            var all = Task.WhenAll(running.Select(x => x.Result));
            if (view != null) view.Run(all);
            try
            {
                all.GetAwaiter().GetResult();
            }
            catch (TaskCanceledException) when (cancel.IsCancellationRequested)
            {
            }
            foreach (var (column, result) in running)
                if (result.IsCompletedSuccessfully) column.Complete(result.Result);
            return columns;
        }
        finally
        {
            foreach (var g in groups) g.Dispose();
        }
    }

    /// <summary>The adapters that fit the model at <paramref name="path"/> (as weft serve chooses them).</summary>
    private static IReadOnlyList<LoraSpec> FittingAdapters(string path, IReadOnlyList<LoraSpec> adapters)
    {
        try
        {
            return AdapterFit.For(path, adapters);
        }
        catch (Exception e) when (CliRunner.IsUserError(e) && e is not AdapterException)
        {
            throw new UsageException($"cannot load the model '{path}': {e.Message}");
        }
    }

    /// <summary>Throws AdapterException naming an adapter that fits none of the models (and why it fails the first one).</summary>
    private static void CheckEachAdapterFitsAModel(CompareOptions options, IEnumerable<IReadOnlyList<LoraSpec>> fitting)
    {
        var local = options.Columns.FirstOrDefault(c => !c.IsRemote);
        foreach (var spec in options.Adapters)
        {
            if (fitting.Any(f => f.Contains(spec))) continue;
            if (local == null) throw new UsageException("--lora applies to local models; every column is a remote endpoint");
            throw new AdapterException($"the adapter {spec.Path} fits none of the models (for '{local.Path}': {Mismatch(spec.Path, local.Path)})");
        }
    }

    /// <summary>Why the adapter at <paramref name="adapter"/> does not fit the model at <paramref name="model"/>.</summary>
    private static string? Mismatch(string adapter, string model)
    {
        using var file = LoraAdapterFile.Open(adapter);
        using var source = ModelSource.Open(model);
        return file.Mismatch(source);
    }

    /// <summary>Threads per model: <paramref name="threads"/> split evenly (the first models get the remainder), at least 1 each.</summary>
    public static int[] SplitThreads(int threads, int models)
    {
        var shares = new int[models];
        for (int i = 0; i < models; i++) shares[i] = Math.Max(1, threads / models + (i < threads % models ? 1 : 0));
        return shares;
    }

    /// <summary>One loaded model (path + the adapters that fit it) and the columns it answers, in one scheduler.</summary>
    private sealed class ModelGroup : IDisposable
    {
        private WorkerPool? _pool;
        private BatchScheduler? _scheduler;

        private ModelGroup(string key, Model model, IReadOnlyList<LoraSpec> adapters, int[] prompt, int context)
        {
            Key = key;
            Model = model;
            Adapters = adapters;
            Prompt = prompt;
            Context = context;
        }

        public string Key { get; }
        public Model Model { get; }
        public IReadOnlyList<LoraSpec> Adapters { get; }
        public int[] Prompt { get; }
        public int Context { get; }
        public List<(CompareColumn Column, SamplingOptions Sampling)> Columns { get; } = [];

        public static ModelGroup Load(string path, string key, IReadOnlyList<LoraSpec> adapters, CompareOptions options)
        {
            Model model;
            try
            {
                model = Model.Load(path, adapters);
            }
            catch (Exception e) when (CliRunner.IsUserError(e))
            {
                throw new UsageException($"cannot load the model '{path}': {e.Message}");
            }
            try
            {
                int[] prompt = Tokens(model, path, options);
                if (prompt.Length == 0) throw new UsageException($"the prompt is empty for '{path}'");
                int context = options.Context > 0 ? options.Context : Math.Min(model.Config.TrainContextLength, 4096);
                if (prompt.Length > context)
                    throw new ContextOverflowException($"the prompt has {prompt.Length} tokens for '{path}' but its context holds {context} (set --ctx up to {model.Config.TrainContextLength})");
                return new ModelGroup(key, model, adapters, prompt, context);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        private static int[] Tokens(Model model, string path, CompareOptions options)
        {
            try
            {
                if (options.Raw) return model.Tokenizer.Encode(options.Prompt, addSpecial: true, parseSpecial: false);
                var formatter = ChatFormatter.ForModel(model, options.Template);
                var messages = new List<ChatMessage>();
                if (!string.IsNullOrEmpty(options.System)) messages.Add(ChatMessage.Text("system", options.System));
                messages.Add(ChatMessage.Text("user", options.Prompt));
                return formatter.Tokens(messages);
            }
            catch (Exception e) when (e is Weft.Formats.ModelFormatException or NotSupportedException or TemplateException)
            {
                throw new UsageException($"'{path}': {e.Message}");
            }
        }

        /// <summary>Submits every column (one slot each) to a scheduler of its own over <paramref name="threads"/> threads.</summary>
        public IEnumerable<(CompareColumn, Task<GenerationResult>)> Start(int threads, int maxTokens, System.Diagnostics.Stopwatch clock, CancellationToken cancel)
        {
            _pool = new WorkerPool(threads);
            // A slot needs room for the prompt and the answer only (the same tokens as a full context when they fit).
            int slotContext = Math.Min(Context, Prompt.Length + maxTokens);
            _scheduler = new BatchScheduler(Model, _pool, Model.Tokenizer, Columns.Count, slotContext, queueLimit: Columns.Count);
            var started = new List<(CompareColumn, Task<GenerationResult>)>();
            foreach (var (column, sampling) in Columns)
            {
                column.Threads = threads;
                var request = new GenerationRequest { Prompt = Prompt, MaxTokens = maxTokens, Sampling = sampling, StopAtEndOfGeneration = true };
                if (!_scheduler.TrySubmit(request, (token, text) => column.Append(token, text, clock), cancel, out var result))
                    throw new InvalidOperationException("the scheduler's queue is sized for every column");
                started.Add((column, result));
            }
            return started;
        }

        public void Dispose()
        {
            _scheduler?.Dispose();
            _pool?.Dispose();
            Model.Dispose();
        }
    }
}

internal sealed record CompareOptions
{
    public required IReadOnlyList<ColumnSpec> Columns { get; init; }
    public required string Prompt { get; init; }
    public string? System { get; init; }
    public bool Raw { get; init; }
    public string? Template { get; init; }
    public int MaxTokens { get; init; }
    public required SamplingOptions Sampling { get; init; }
    public IReadOnlyList<LoraSpec> Adapters { get; init; } = [];
    public int Threads { get; init; }
    public int Context { get; init; }
    public bool Json { get; init; }
    /// <summary>Column K (from 1) samples with this + K - 1: --seed, else one drawn at random.</summary>
    public ulong BaseSeed { get; init; }
}

/// <summary>One column as written: a model, MODEL+ADAPTER[@SCALE][+ADAPTER…] (a name that exists as it is wins), or a
/// remote endpoint openai:URL#model.</summary>
internal sealed record ColumnSpec(string Path, IReadOnlyList<LoraSpec> Adapters)
{
    public bool IsRemote => CompareRemote.IsRemote(Path);
    /// <summary>A remote column's own key (from the endpoints file; "" for none); null: $OPENAI_API_KEY.</summary>
    public string? ApiKey { get; init; }

    public static ColumnSpec Parse(string arg)
    {
        if (File.Exists(arg) || Directory.Exists(arg)) return new ColumnSpec(arg, []);
        if (CompareRemote.IsRemote(arg))
        {
            _ = CompareRemote.Parse(arg); // a malformed endpoint is refused before anything loads
            return new ColumnSpec(arg, []);
        }
        string[] parts = arg.Split('+');
        if (parts.Length == 1 || !(File.Exists(parts[0]) || Directory.Exists(parts[0])))
            throw new UsageException($"the model '{(parts.Length > 1 && parts[0].Length > 0 ? parts[0] : arg)}' does not exist");
        var adapters = new List<LoraSpec>();
        foreach (string part in parts[1..])
        {
            int at = part.LastIndexOf('@');
            string file = at > 0 ? part[..at] : part;
            float scale = 1f;
            if (at > 0 && !float.TryParse(part[(at + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out scale))
                throw new UsageException($"'{arg}': '{part[(at + 1)..]}' is not an adapter scale");
            if (!File.Exists(file)) throw new UsageException($"the adapter '{file}' (in '{arg}') does not exist");
            adapters.Add(new LoraSpec(file, scale));
        }
        return new ColumnSpec(parts[0], adapters);
    }
}
