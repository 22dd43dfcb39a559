// A compare column answered by a remote OpenAI-compatible endpoint (`openai:URL#model`, key from $OPENAI_API_KEY, or a
// model of the endpoints file with its endpoint's key):
// the prompt as chat messages to URL/chat/completions, streamed; time to first token and tokens/s measured here.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
            var answer = new StringBuilder();
            int chunks = 0, completion = -1, prompt = 0;
            double first = -1;
            var finish = FinishReason.Length;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
            while (await reader.ReadLineAsync(cancel) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                string data = line[5..].Trim();
                if (data == "[DONE]") break;
                JsonNode? chunk;
                try { chunk = JsonNode.Parse(data); }
                catch (JsonException) { throw new UsageException($"'{arg}': {endpoint} sent an event that is not JSON: {(data.Length > 120 ? data[..120] + "…" : data)}"); }
                if (chunk?["error"] is JsonNode error) throw new UsageException($"'{arg}': {endpoint}: {error["message"]?.ToString() ?? error.ToJsonString()}");
                if (chunk?["usage"] is JsonObject usage)
                {
                    completion = usage["completion_tokens"]?.GetValue<int>() ?? completion;
                    prompt = usage["prompt_tokens"]?.GetValue<int>() ?? prompt;
                }
                if (chunk?["choices"] is not JsonArray { Count: > 0 } choices) continue;
                if (choices[0]?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 } piece)
                {
                    if (first < 0) first = clock.Elapsed.TotalMilliseconds;
                    chunks++;
                    answer.Append(piece);
                    column.Append(0, piece, clock);
                }
                if (choices[0]?["finish_reason"]?.GetValue<string>() is { } reason)
                    finish = reason == "length" ? FinishReason.Length : FinishReason.EndOfGeneration;
            }
            double end = clock.Elapsed.TotalMilliseconds;
            column.PromptTokens = prompt;
            int tokens = completion >= 0 ? completion : chunks;
            double ttft = first < 0 ? end - start : first - start;
            return new GenerationResult(new int[tokens], answer.ToString(), finish, prompt,
                TimeSpan.FromMilliseconds(ttft), TimeSpan.FromMilliseconds(Math.Max(1e-3, end - Math.Max(first, start))));
        }
    }
}
