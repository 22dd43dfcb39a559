// A compare column answered by a remote OpenAI-compatible endpoint (`openai:URL#model`, key from $OPENAI_API_KEY, or a
// model of the endpoints file with its endpoint's key):
// the prompt as chat messages to URL/chat/completions, streamed; time to first token and tokens/s measured here.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Weft.Evaluation.Models;
using Weft.Evaluation.Running;
using Weft.Inference.Generation;

namespace Weft.Cli.Verbs;

internal static class CompareRemote
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static bool IsRemote(string arg) => arg.StartsWith(ModelSpec.RemotePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The (endpoint, model) of `openai:URL#model`; a malformed one is a user error.</summary>
    public static (Uri BaseUrl, string Model) Parse(string arg)
    {
        try
        {
            return new ModelSpec(arg, []).Remote();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Streams the answer into <paramref name="column"/>; its result carries the usage the endpoint reports (else
    /// one token per content chunk), the time to first token as prompt time and the rest as generation time.</summary>
    /// <param name="apiKey">the column's own key ("" for none); null: $OPENAI_API_KEY</param>
    public static async Task<GenerationResult> RunAsync(CompareColumn column, string arg, string? apiKey, CompareOptions options, ulong seed, Stopwatch clock, CancellationToken cancel)
    {
        var (url, model) = Parse(arg);
        var messages = new JsonArray();
        if (!string.IsNullOrEmpty(options.System)) messages.Add(new JsonObject { ["role"] = "system", ["content"] = options.System });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = options.Prompt });
        var s = options.Sampling;
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = messages,
            ["max_tokens"] = options.MaxTokens,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["temperature"] = s.IsGreedy ? 0 : s.Temperature,
            ["top_p"] = s.IsGreedy ? 1 : s.TopP,
        };
        if (!s.IsGreedy) body["seed"] = seed;
        string endpoint = url.AbsoluteUri.TrimEnd('/') + "/chat/completions";
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if ((apiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY")) is { Length: > 0 } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        double start = clock.Elapsed.TotalMilliseconds;
        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new UsageException($"'{arg}': {endpoint} cannot be reached: {e.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                string text = await response.Content.ReadAsStringAsync(cancel);
                throw new UsageException($"'{arg}': {endpoint} answered {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] + "…" : text)}");
            }
            ChatStreamEnd r;
            try
            {
                r = await ChatCompletionStream.ReadAsync(await response.Content.ReadAsStreamAsync(cancel), piece =>
                {
                    column.Append(0, piece, clock);
                    return ValueTask.CompletedTask;
                }, clock, cancel);
            }
            catch (JsonException e) { throw new UsageException($"'{arg}': {endpoint} sent {e.Message}"); }
            catch (ChatStreamErrorException e) { throw new UsageException($"'{arg}': {endpoint}: {e.Message}"); }
            double end = clock.Elapsed.TotalMilliseconds;
            double first = r.FirstPiece is { } f ? f.TotalMilliseconds : -1;
            column.PromptTokens = r.PromptTokens;
            double ttft = first < 0 ? end - start : first - start;
            return new GenerationResult(new int[r.Tokens], r.Text, r.Finish, r.PromptTokens,
                TimeSpan.FromMilliseconds(ttft), TimeSpan.FromMilliseconds(Math.Max(1e-3, end - Math.Max(first, start))));
        }
    }
}
