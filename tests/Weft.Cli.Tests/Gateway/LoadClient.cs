// One streaming client of the gateway load test: posts a streamed chat completion and tells how it ended (done, an
// error event, anything else), which replica answered (X-Weft-Replica), its time to first token and its tokens.
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Weft.Cli.Tests.Gateway;

/// <param name="Kind">done, error-event, or what went wrong</param>
/// <param name="StreamingBeforeKill">a token reached the client before the kill</param>
public sealed record LoadOutcome(string Kind, string? Replica, double? TtftMs, int Tokens, double StartMs, bool StreamingBeforeKill);

public static class LoadClient
{
    /// <summary>A stream that has not ended after this long counts as hung.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    public static async Task<LoadOutcome> StreamAsync(HttpClient http, string model, int maxTokens, Stopwatch clock, Func<double> killMs)
    {
        double start = clock.Elapsed.TotalMilliseconds;
        double? ttft = null;
        int chunks = 0;
        int? usage = null;
        string? replica = null;
        bool beforeKill = false;
        LoadOutcome Outcome(string kind) => new(kind, replica, ttft, usage ?? chunks, start, beforeKill);
        using var cts = new CancellationTokenSource(HangLimit);
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"And God said"}]}""", Encoding.UTF8, "application/json"),
            };
            using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            replica = res.Headers.TryGetValues("X-Weft-Replica", out var names) ? names.First() : null;
            if (!res.IsSuccessStatusCode) return Outcome($"status {(int)res.StatusCode}: {await res.Content.ReadAsStringAsync(cts.Token)}");
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(cts.Token));
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                string data = line["data: ".Length..];
                if (data == "[DONE]") return Outcome("done");
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out _)) return Outcome("error-event");
                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object) usage = u.GetProperty("completion_tokens").GetInt32();
                if (!HasText(root)) continue;
                double now = clock.Elapsed.TotalMilliseconds;
                ttft ??= now - start;
                if (now < killMs()) beforeKill = true;
                chunks++;
            }
            return Outcome("ended without [DONE]");
        }
        catch (OperationCanceledException)
        {
            return Outcome("hung");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return Outcome("broken: " + e.Message);
        }
    }

    private static bool HasText(JsonElement chunk) =>
        chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
        && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var c)
        && c.ValueKind == JsonValueKind.String && c.GetString()!.Length > 0;
}
