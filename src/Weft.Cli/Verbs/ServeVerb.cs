// weft serve: the OpenAI-compatible server over every model in the models folder.
using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Weft.Catalog.Hub;
using Weft.Server;

namespace Weft.Cli.Verbs;

internal static class ServeVerb
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "address to listen on (loopback unless you say otherwise)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port", DefaultValueFactory = _ => 8080 };
        var models = new Option<string>("--models") { Description = "folder of GGUF models to serve", DefaultValueFactory = _ => ServerOptions.DefaultModelsDirectory };
        var apiKey = new Option<string?>("--api-key") { Description = "require 'Authorization: Bearer KEY' on every /v1 call" };
        var ctx = new Option<int>("--ctx") { Description = "largest context per request (default: the model's, at most 4096)" };
        var parallel = new Option<int>("--parallel") { Description = "slots per model: requests decoded together, one batched forward pass per step (default: up to 4, as many as fit their KV caches in a quarter of the memory)", DefaultValueFactory = _ => 0 };
        var budget = new Option<string?>("--memory-budget") { Description = "bytes of models kept loaded (suffixes K, M, G); least recently used ones are unloaded" };
        var data = new Option<string>("--data") { Description = "folder of the chat page's database (conversations, assistants)", DefaultValueFactory = _ => ServerOptions.DefaultDataDirectory };
        var noPulled = new Option<bool>("--no-pulled") { Description = "offer only the models folder's models, not those `weft pull` (or another tool) left in the caches" };
        var cache = new Option<string?>("--cache") { Description = "pull cache whose models are offered and where the catalog page pulls to (default: as `weft pull`)" };
        var endpoints = new Option<string?>("--endpoints") { Description = "FILE: remote OpenAI-compatible endpoints served through the gateway (default: endpoints.yaml in the --data folder when there; docs/gateway.md)" };
        var threads = Common.ThreadsOption();
        var lora = new LoraFlags();
        var variant = new Option<string[]>("--lora-variant")
        {
            Description = "FILE[@SCALE]: also offer every model this adapter fits as ID+STEM[@SCALE] with it applied, beside the plain model (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var cors = new Option<string[]>("--cors") { Description = "ORIGIN (e.g. https://app.example, or *): let web pages of that origin call this server from a browser (repeatable; default: none)" };
        var cmd = new Command("serve", "Serve models over an OpenAI-compatible HTTP API, a chat page, a catalog and a leaderboard")
        {
            host, port, models, apiKey, ctx, parallel, budget, data, noPulled, cache, threads, variant, cors, endpoints,
        };
        lora.AddTo(cmd);
        cmd.SetAction(r =>
        {
            if (r.GetValue(port) is < 0 or > 65535) throw new UsageException("--port must be between 0 and 65535");
            if (r.GetValue(parallel) < 0 || (r.GetResult(parallel) is { Implicit: false } && r.GetValue(parallel) == 0)) throw new UsageException("--parallel must be at least 1");
            if (r.GetValue(ctx) < 0) throw new UsageException("--ctx must not be negative");
            var options = new ServerOptions
            {
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                ModelsDirectory = r.GetValue(models)!,
                ApiKey = r.GetValue(apiKey),
                ContextSize = r.GetValue(ctx),
                Parallel = r.GetValue(parallel),
                MemoryBudget = r.GetValue(budget) is string b ? ParseBytes(b) : 0,
                Threads = r.GetValue(threads),
                DataDirectory = r.GetValue(data)!,
                Adapters = lora.Read(r),
                AdapterVariants = [.. (r.GetValue(variant) ?? []).Select(Variant)],
                CorsOrigins = r.GetValue(cors) ?? [],
                EndpointsFile = r.GetValue(endpoints),
                Hub = r.GetValue(noPulled) ? null : PullCache(r.GetValue(cache)),
            };
            bool defaultFolder = r.GetResult(models) is null or { Implicit: true };
            if (defaultFolder && !HasModels(options.ModelsDirectory) && File.Exists(DefaultModel.Path))
            {
                Console.Error.WriteLine($"weft: no models in {options.ModelsDirectory}; serving the bundled weft-tiny (put GGUF files there or pass --models DIR)");
                options = options with { ModelsDirectory = Path.GetDirectoryName(DefaultModel.Path)! };
            }
            if (!Directory.Exists(options.ModelsDirectory))
                throw new UsageException($"the models folder '{options.ModelsDirectory}' does not exist (create it or pass --models DIR)");
            WebApplicationRunner.Run(options);
            return 0;
        });
        return cmd;
    }

    /// <summary>FILE[@SCALE] of --lora-variant; the file must exist.</summary>
    private static Weft.Models.Adapters.LoraSpec Variant(string value)
    {
        int at = value.LastIndexOf('@');
        string file = at > 0 ? value[..at] : value;
        float scale = 1f;
        if (at > 0 && !float.TryParse(value[(at + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out scale))
            throw new UsageException($"--lora-variant {value}: '{value[(at + 1)..]}' is not a scale");
        if (!File.Exists(file)) throw new UsageException($"the adapter '{file}' does not exist");
        return new Weft.Models.Adapters.LoraSpec(file, scale);
    }

    private static HubOptions PullCache(string? folder)
    {
        var hub = HubOptions.FromEnvironment();
        return folder == null ? hub : hub with { HfCache = folder, OllamaModels = folder };
    }

    /// <summary>Whether the folder holds a GGUF file or a checkpoint folder (config.json) to serve.</summary>
    private static bool HasModels(string folder) =>
        Directory.Exists(folder) && (Directory.EnumerateFiles(folder, "*.gguf").Any()
            || Directory.EnumerateDirectories(folder).Any(d => File.Exists(Path.Combine(d, "config.json"))));

    private static long ParseBytes(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B');
        long scale = t.Length > 0 ? t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 } : 1;
        if (scale != 1) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0)
            throw new UsageException($"--memory-budget: '{text}' is not a size in bytes");
        return (long)(v * scale);
    }
}

internal static class WebApplicationRunner
{
    public static void Run(ServerOptions options)
    {
        using var app = Create(options);
        app.Start();
        var catalog = app.Services.GetService(typeof(Weft.Server.Hosting.ModelCatalog)) as Weft.Server.Hosting.ModelCatalog;
        Console.Error.WriteLine($"weft: serving {catalog?.List().Count ?? 0} models from {options.ModelsDirectory} at {string.Join(", ", app.Urls)}");
        if (app.Services.GetService(typeof(Weft.Server.Remote.RemoteEndpoints)) is Weft.Server.Remote.RemoteEndpoints { All.Count: > 0 } remote)
            Console.Error.WriteLine($"weft: gateway to {remote.All.Count} remote endpoints ({string.Join(", ", remote.All.Select(e => e.Name))})");
        foreach (var a in options.Adapters)
            Console.Error.WriteLine($"weft: LoRA adapter {a.Path} (scale {a.Scale.ToString(CultureInfo.InvariantCulture)}) applied to every model it fits");
        Console.Error.WriteLine($"weft: chat page at {app.Urls.First()}/ (conversations kept in {Path.GetFullPath(Path.Combine(options.DataDirectory, Weft.Server.Storage.ChatStore.FileName))})");
        app.WaitForShutdown();
    }

    /// <summary>The server; settings it refuses are the user's to fix (a usage error).</summary>
    private static WebApplication Create(ServerOptions options)
    {
        try
        {
            return WeftServer.Create(options);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
