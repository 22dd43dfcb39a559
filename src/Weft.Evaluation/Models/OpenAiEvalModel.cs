// A remote OpenAI-compatible endpoint as an evaluation model, through the legacy completions API: log-likelihoods from
// `echo: true` prompt log-probabilities (the continuation is the tokens at or past the context's end in text_offset;
// greedy when each is its position's top log-probability), generation with temperature 0 and stop strings.
// Timeouts, 5xx, 429 and answers that are not the expected JSON are retried, then the model is marked failed.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Models;

public sealed class OpenAiEvalModel : IEvalModel
{
    private readonly HttpClient _http;
    private readonly Uri _completions;
    private readonly int _retries;
    private readonly TimeSpan _backoff;

    public string Name { get; }
    public string Kind => "remote";
    public string Model { get; }
    public Uri BaseUrl { get; }

    /// <summary>Prompts sent in one request (the API's prompt arrays).</summary>
    public int BatchSize { get; init; } = 8;

    /// <param name="baseUrl">the API root, e.g. http://host:8000/v1 (requests go to {baseUrl}/completions)</param>
    /// <param name="apiKey">sent as a Bearer token when not null</param>
    public OpenAiEvalModel(Uri baseUrl, string model, string? apiKey = null, TimeSpan? timeout = null, int retries = 3,
        TimeSpan? backoff = null, HttpMessageHandler? handler = null)
    {
        BaseUrl = baseUrl;
        Model = model;
        Name = model;
        _completions = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/completions");
        _http = handler == null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(120);
        if (apiKey != null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _retries = Math.Max(0, retries);
        _backoff = backoff ?? TimeSpan.FromSeconds(1);
    }

    public IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var results = new LoglikelihoodResult[requests.Count];
        for (int start = 0; start < requests.Count; start += BatchSize)
        {
            var batch = requests.Skip(start).Take(BatchSize).ToArray();
            var scored = Echo(batch.Select(r => r.Context + r.Continuation).ToArray(), cancel);
            for (int k = 0; k < batch.Length; k++)
                results[start + k] = Continuation(scored[k], batch[k].Context.Length, $"request {start + k}");
            progress?.Invoke(start + batch.Length);
        }
        return results;
    }

    public IReadOnlyList<RollingResult> LoglikelihoodRolling(IReadOnlyList<string> texts, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var results = new RollingResult[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            var lp = Echo([texts[i]], cancel)[0];
            double sum = 0;
            int n = 0;
            foreach (var v in lp.TokenLogprobs)
                if (v is double d) { sum += d; n++; }
            results[i] = new RollingResult(sum, n);
            progress?.Invoke(i + 1);
        }
        return results;
    }

    public IReadOnlyList<string> GenerateUntil(IReadOnlyList<GenerateRequest> requests, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var outputs = new string[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var body = new JsonObject
            {
                ["model"] = Model,
                ["prompt"] = r.Context,
                ["max_tokens"] = Math.Max(1, r.MaxTokens),
                ["temperature"] = 0,
                ["stop"] = new JsonArray(r.Until.Where(s => s.Length > 0).Take(4).Select(s => (JsonNode)s!).ToArray()),
            };
            var answer = Post(body, cancel);
            string text = Choices(answer, 1)[0]["text"]?.GetValue<string>() ?? throw Garbage("a choice without text");
            int cut = text.Length;
            foreach (var s in r.Until)
                if (s.Length > 0 && text.IndexOf(s, StringComparison.Ordinal) is int k and >= 0) cut = Math.Min(cut, k);
            outputs[i] = text[..cut];
            progress?.Invoke(i + 1);
        }
        return outputs;
    }

    /// <summary>Time to the first streamed token (ms) and output tokens per second after it, from one greedy
    /// streamed completion of <paramref name="tokens"/> tokens.</summary>
    public (double TtftMs, double TokensPerSecond) MeasureSpeed(string prompt, int tokens, CancellationToken cancel = default)
    {
        var body = new JsonObject { ["model"] = Model, ["prompt"] = prompt, ["max_tokens"] = tokens, ["temperature"] = 0, ["stream"] = true };
        using var request = new HttpRequestMessage(HttpMethod.Post, _completions) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        var clock = Stopwatch.StartNew();
        using var response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (!response.IsSuccessStatusCode) throw new EvalModelException($"{Name}: {_completions} answered {(int)response.StatusCode} to a streamed completion");
        using var reader = new StreamReader(response.Content.ReadAsStream(cancel));
        double first = -1;
        int chunks = 0;
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            string data = line[5..].Trim();
            if (data == "[DONE]") break;
            if (first < 0) first = clock.Elapsed.TotalMilliseconds;
            chunks++;
        }
        double total = clock.Elapsed.TotalMilliseconds;
        if (first < 0) throw new EvalModelException($"{Name}: the streamed completion sent no tokens");
        double tps = chunks > 1 && total > first ? (chunks - 1) / ((total - first) / 1000) : 0;
        return (first, tps);
    }

    private sealed record PromptLogprobs(string[] Tokens, double?[] TokenLogprobs, int[] Offsets, JsonNode?[] Top);

    private PromptLogprobs[] Echo(string[] prompts, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["prompt"] = prompts.Length == 1 ? prompts[0] : new JsonArray(prompts.Select(p => (JsonNode)p!).ToArray()),
            ["echo"] = true,
            ["max_tokens"] = 0,
            ["logprobs"] = 1,
            ["temperature"] = 0,
        };
        var choices = Choices(Post(body, cancel), prompts.Length);
        return choices.Select(c => ReadLogprobs(c)).ToArray();
    }

    private static PromptLogprobs ReadLogprobs(JsonObject choice)
    {
        var lp = choice["logprobs"] as JsonObject ?? throw Garbage("a choice without logprobs (does the server support echo with logprobs?)");
        var tokens = (lp["tokens"] as JsonArray ?? throw Garbage("logprobs without tokens")).Select(t => t?.GetValue<string>() ?? "").ToArray();
        var values = (lp["token_logprobs"] as JsonArray ?? throw Garbage("logprobs without token_logprobs")).Select(v => v == null ? (double?)null : v.GetValue<double>()).ToArray();
        var offsets = (lp["text_offset"] as JsonArray ?? throw Garbage("logprobs without text_offset")).Select(v => v!.GetValue<int>()).ToArray();
        var top = lp["top_logprobs"] is JsonArray a ? a.ToArray() : new JsonNode?[tokens.Length];
        if (values.Length != tokens.Length || offsets.Length != tokens.Length || top.Length != tokens.Length)
            throw Garbage("tokens, token_logprobs, text_offset and top_logprobs of different lengths");
        return new PromptLogprobs(tokens, values, offsets, top);
    }

    /// <summary>The continuation is every token that ends past the context's end; its log-probabilities summed, greedy
    /// when each token is the top entry of its position.</summary>
    private static LoglikelihoodResult Continuation(PromptLogprobs lp, int contextLength, string what)
    {
        double sum = 0;
        bool greedy = true;
        int n = 0;
        for (int k = 0; k < lp.Tokens.Length; k++)
        {
            if (lp.Offsets[k] + lp.Tokens[k].Length <= contextLength) continue;
            if (lp.TokenLogprobs[k] is not double v) throw Garbage($"{what}: a continuation token without a log-probability (the first prompt token cannot be scored)");
            sum += v;
            n++;
            if (lp.Top[k] is JsonObject top && top.Count > 0)
            {
                var best = top.MaxBy(p => p.Value?.GetValue<double>() ?? double.NegativeInfinity);
                if (best.Key != lp.Tokens[k] && (best.Value?.GetValue<double>() ?? 0) > v + 1e-9) greedy = false;
            }
        }
        if (n == 0) throw Garbage($"{what}: no token of the answer lies past the context");
        return new LoglikelihoodResult(sum, greedy, n);
    }

    private static JsonObject[] Choices(JsonNode answer, int expected)
    {
        var choices = (answer["choices"] as JsonArray ?? throw Garbage("an answer without choices")).OfType<JsonObject>()
            .OrderBy(c => c["index"]?.GetValue<int>() ?? 0).ToArray();
        if (choices.Length != expected) throw Garbage($"{choices.Length} choices for {expected} prompts");
        return choices;
    }

    private static EvalModelException Garbage(string what) => new($"the endpoint answered unexpected JSON: {what}");

    private JsonNode Post(JsonObject body, CancellationToken cancel)
    {
        string payload = body.ToJsonString();
        Exception? last = null;
        for (int attempt = 0; attempt <= _retries; attempt++)
        {
            if (attempt > 0) Task.Delay(_backoff * (1 << (attempt - 1)), cancel).Wait(cancel);
            int status;
            string text;
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = _http.PostAsync(_completions, content, cancel).GetAwaiter().GetResult();
                text = response.Content.ReadAsStringAsync(cancel).GetAwaiter().GetResult();
                status = (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
            {
                last = e;
                continue;
            }
            // A request the server refuses will be refused again: no retry.
            if (status is >= 400 and < 500 and not 408 and not 429)
                throw new EvalModelException($"{Name}: {_completions} answered {status}: {Truncate(text)}");
            if (status >= 300) { last = new EvalModelException($"answered {status}: {Truncate(text)}"); continue; }
            try
            {
                if (JsonNode.Parse(text) is JsonObject node) return node;
                last = Garbage("not a JSON object");
            }
            catch (JsonException e) { last = Garbage($"not JSON ({e.Message}): {Truncate(text)}"); }
        }
        throw new EvalModelException($"{Name}: {_completions} failed after {_retries + 1} tries: {last?.Message}", last);
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    public void Dispose() => _http.Dispose();
}
