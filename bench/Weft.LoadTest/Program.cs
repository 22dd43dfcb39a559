// Load test of the OpenAI-compatible server over loopback: one client alone for T seconds, then K concurrent streaming
// clients for T seconds. Reports requests, errors, incomplete streams, generated tokens per second of both phases and
// their ratio, and p50/p99 of time to first token and time between tokens. Without --url it serves a model in
// process: --model-file (a GGUF file or a checkpoint folder), else a seeded random-weight model.
//   dotnet run -c Release --project bench/Weft.LoadTest -- [--clients 16] [--seconds 20] [--max-tokens 64]
//       [--parallel 16] [--threads N] [--model-file PATH | --url http://127.0.0.1:8080 --model ID]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Weft.Models.Synthetic;
using Weft.Server;

var args_ = Args.Parse(args);
int clients = args_.Int("clients", 16, 1, 256);
int seconds = args_.Int("seconds", 20, 1, 600);
int maxTokens = args_.Int("max-tokens", 64, 1, 4096);
int parallel = args_.Int("parallel", clients, 1, 256);
int threads = args_.Int("threads", Weft.Tensors.Threading.WorkerPool.DefaultThreadCount, 1, 1024);
string? url = args_.Text("url");
string? modelFile = args_.Text("model-file");
if (url != null && modelFile != null)
{
    Console.Error.WriteLine("loadtest: error: --url and --model-file exclude each other (--model-file starts a server of its own)");
    return 2;
}
string model = args_.Text("model") ?? "load";

WebApplication? app = null;
string? folder = null;
if (url == null && modelFile != null)
{
    // the file's folder is the models folder; the model's id is its name (a GGUF file without .gguf)
    string full = Path.GetFullPath(modelFile);
    if (!File.Exists(full) && !Directory.Exists(full))
    {
        Console.Error.WriteLine($"loadtest: error: --model-file '{modelFile}' does not exist");
        return 2;
    }
    model = Directory.Exists(full) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(full)) : Path.GetFileNameWithoutExtension(full);
    app = WeftServer.Create(new ServerOptions
    {
        Port = 0, ModelsDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full))!, Parallel = parallel, Threads = threads, QueueLimit = 1024,
        // the chat page's database is never opened by this tool; keep it out of the user's ~/.weft all the same
        DataDirectory = Path.Combine(Path.GetTempPath(), "weft-loadtest-data"),
    });
    await app.StartAsync();
    url = app.Urls.First();
    Console.WriteLine($"in-process server {url}: model '{model}' from {full}, --parallel {parallel}, {threads} threads");
}
else if (url == null)
{
    folder = Path.Combine(Path.GetTempPath(), "weft-loadtest-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(folder);
    var spec = new SyntheticModelSpec { Name = "load", Embedding = 256, Heads = 8, KvHeads = 2, Layers = 4, FeedForward = 768, Seed = 5, Context = 1024 };
    SyntheticModel.Write(spec, Path.Combine(folder, model + ".gguf"));
    app = WeftServer.Create(new ServerOptions
    {
        Port = 0, ModelsDirectory = folder, Parallel = parallel, Threads = threads, QueueLimit = 1024, DataDirectory = Path.Combine(folder, "data"),
    });
    await app.StartAsync();
    url = app.Urls.First();
    Console.WriteLine($"in-process server {url}: synthetic model '{model}' (embedding 256, 4 layers, F32), --parallel {parallel}, {threads} threads");
}
var baseUri = new Uri(url);
if (!IPAddress.TryParse(baseUri.Host, out var ip) ? baseUri.Host != "localhost" : !IPAddress.IsLoopback(ip))
{
    Console.Error.WriteLine("loadtest: error: only loopback servers may be load-tested");
    return 2;
}
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };
// Warm-up: loads the model and settles the JIT.
await new Client(http, model, maxTokens, 0).OneAsync(CancellationToken.None);

Console.WriteLine($"1 client for {seconds} s, then {clients} clients for {seconds} s; {maxTokens} tokens per request, greedy");
var solo = await Phase.RunAsync(http, model, maxTokens, 1, seconds);
var many = await Phase.RunAsync(http, model, maxTokens, clients, seconds);
solo.Print("1 client");
many.Print($"{clients} clients");
Console.WriteLine($"total requests: {solo.Requests + many.Requests} ({solo.Requests} + {many.Requests})");
Console.WriteLine(solo.Errors + many.Errors == 0 ? "errors: 0" : $"errors: {solo.Errors + many.Errors} (first: {solo.FirstError ?? many.FirstError})");
Console.WriteLine($"incomplete responses: {solo.Incomplete + many.Incomplete}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"aggregate tokens/s ({clients} clients): {many.TokensPerSecond:F1}; single client: {solo.TokensPerSecond:F1}; ratio: {many.TokensPerSecond / Math.Max(solo.TokensPerSecond, 1e-9):F2}x"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"time to first token ({clients} clients): p50 {Phase.P(many.FirstToken, 50):F1} ms, p99 {Phase.P(many.FirstToken, 99):F1} ms; between tokens: p50 {Phase.P(many.BetweenTokens, 50):F2} ms, p99 {Phase.P(many.BetweenTokens, 99):F2} ms"));
bool ok = many.Errors + solo.Errors + many.Incomplete + solo.Incomplete == 0;

if (app != null)
{
    await app.StopAsync();
    await app.DisposeAsync();
    if (folder != null) Directory.Delete(folder, true);
}
return ok ? 0 : 1;

/// <summary>One streaming client: requests back to back until told to stop.</summary>
internal sealed class Client(HttpClient http, string model, int maxTokens, int seed)
{
    /// <summary>Requests answered in full; refused or failed ones; streams that ended without the finish reason, usage and [DONE].</summary>
    public int Requests, Tokens, Errors, Incomplete;
    public string? FirstError;
    public readonly List<double> FirstTokenMs = [], BetweenTokensMs = [];
    private int _n;

    public async Task OneAsync(CancellationToken stop)
    {
        // Different prompts per client and request (token ids: no tokenizer needed).
        var rng = new Random(seed * 7919 + _n++);
        var prompt = Enumerable.Range(0, 8 + rng.Next(40)).Select(_ => 3 + rng.Next(300)).ToArray();
        string body = JsonSerializer.Serialize(new
        {
            model, prompt, max_tokens = maxTokens, temperature = 0, stream = true, stream_options = new { include_usage = true },
        });
        var clock = Stopwatch.StartNew();
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, stop);
            if (res.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"HTTP {(int)res.StatusCode}: {await res.Content.ReadAsStringAsync(stop)}");
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(stop));
            double last = -1;
            int completion = -1;
            bool done = false, finished = false;
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                string data = line[6..];
                if (data == "[DONE]") { done = true; break; }
                double now = clock.Elapsed.TotalMilliseconds;
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var e)) throw new HttpRequestException(e.GetRawText());
                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object) completion = u.GetProperty("completion_tokens").GetInt32();
                finished |= root.GetProperty("choices").EnumerateArray().Any(c => c.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String);
                bool text = root.GetProperty("choices").EnumerateArray().Any(c => c.GetProperty("text").GetString() is { Length: > 0 });
                if (!text) continue;
                if (last < 0) FirstTokenMs.Add(now); else BetweenTokensMs.Add(now - last);
                last = now;
            }
            if (!done || !finished || completion < 0)
            {
                Incomplete++;
                FirstError ??= $"a stream ended without {(finished ? "" : "a finish reason, ")}{(completion < 0 ? "usage, " : "")}{(done ? "" : "[DONE]")}".TrimEnd(',', ' ');
                return;
            }
            Requests++;
            Tokens += completion;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Errors++;
            FirstError ??= e.Message;
        }
    }
}

internal sealed record Phase(int Clients, double Seconds, int Requests, int Tokens, int Errors, int Incomplete, string? FirstError, List<double> FirstToken, List<double> BetweenTokens)
{
    public double TokensPerSecond => Tokens / Seconds;

    public static async Task<Phase> RunAsync(HttpClient http, string model, int maxTokens, int clients, int seconds)
    {
        var all = Enumerable.Range(0, clients).Select(i => new Client(http, model, maxTokens, i + 1)).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var clock = Stopwatch.StartNew();
        // New requests start until the deadline; those running then finish (each is bounded by max tokens).
        await Task.WhenAll(all.Select(c => Task.Run(async () => { while (DateTime.UtcNow < deadline) await c.OneAsync(CancellationToken.None); })));
        double elapsed = clock.Elapsed.TotalSeconds;
        return new Phase(clients, elapsed, all.Sum(c => c.Requests), all.Sum(c => c.Tokens), all.Sum(c => c.Errors), all.Sum(c => c.Incomplete),
            all.Select(c => c.FirstError).FirstOrDefault(e => e != null), [.. all.SelectMany(c => c.FirstTokenMs)], [.. all.SelectMany(c => c.BetweenTokensMs)]);
    }

    public void Print(string name) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {Requests} requests, {Tokens} tokens in {Seconds:F1} s = {TokensPerSecond:F1} tokens/s; time to first token p50 {P(FirstToken, 50):F1} ms, p99 {P(FirstToken, 99):F1} ms; between tokens p50 {P(BetweenTokens, 50):F2} ms, p99 {P(BetweenTokens, 99):F2} ms; errors {Errors}, incomplete {Incomplete}"));

    public static double P(List<double> xs, double p)
    {
        if (xs.Count == 0) return double.NaN;
        var sorted = xs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>--name value pairs.</summary>
internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            d[args[i][2..]] = args[++i];
        }
        return new Args(d);
    }

    public string? Text(string name) => values.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new ArgumentException($"--{name} must be an integer from {min} to {max}");
        return v;
    }
}
