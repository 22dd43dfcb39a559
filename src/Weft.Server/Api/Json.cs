// Writing JSON responses and server-sent events.
using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Weft.Server.Api;

internal static class Json
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Options)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    public static async Task WriteAsync(HttpResponse response, Action<Utf8JsonWriter> write, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Build(write));
    }

    public static void StartEvents(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static async Task EventAsync(HttpResponse response, Action<Utf8JsonWriter> write)
    {
        await response.Body.WriteAsync(DataPrefix);
        await response.Body.WriteAsync(Build(write));
        await response.Body.WriteAsync(EventEnd);
        await response.Body.FlushAsync();
    }

    /// <summary>An event with an "event:" line naming its type (the Responses API's streams), then its data.</summary>
    public static async Task NamedEventAsync(HttpResponse response, string name, Action<Utf8JsonWriter> write)
    {
        await response.Body.WriteAsync(Encoding.ASCII.GetBytes("event: " + name + "\n"));
        await EventAsync(response, write);
    }

    public static async Task DoneAsync(HttpResponse response)
    {
        await response.Body.WriteAsync(Encoding.ASCII.GetBytes("data: [DONE]\n\n"));
        await response.Body.FlushAsync();
    }

    public static void Usage(Utf8JsonWriter w, Weft.Inference.Generation.GenerationResult r)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", r.PromptTokens);
        w.WriteNumber("completion_tokens", r.Tokens.Count);
        w.WriteNumber("total_tokens", r.PromptTokens + r.Tokens.Count);
        w.WriteEndObject();
    }

    /// <summary>The usage of n choices of one prompt: the prompt counted once, the tokens of every choice.</summary>
    public static void Usage(Utf8JsonWriter w, IReadOnlyList<Weft.Inference.Generation.GenerationResult> choices)
    {
        int prompt = choices[0].PromptTokens, generated = choices.Sum(c => c.Tokens.Count);
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("completion_tokens", generated);
        w.WriteNumber("total_tokens", prompt + generated);
        w.WriteEndObject();
    }

    /// <summary>llama-server's timings object: prompt and generation counts, milliseconds and rates.</summary>
    public static void Timings(Utf8JsonWriter w, Weft.Inference.Generation.GenerationResult r) => Timings(w, [r]);

    /// <summary>The timings of n choices generated at once: the first's prompt (it evaluated it), every choice's tokens
    /// over the longest generation time.</summary>
    public static void Timings(Utf8JsonWriter w, IReadOnlyList<Weft.Inference.Generation.GenerationResult> choices)
    {
        var first = choices[0];
        int predicted = choices.Sum(c => c.Tokens.Count);
        double ms = choices.Max(c => c.GenerationTime.TotalMilliseconds);
        w.WriteStartObject("timings");
        w.WriteNumber("prompt_n", first.PromptTokens);
        w.WriteNumber("prompt_ms", first.PromptTime.TotalMilliseconds);
        w.WriteNumber("prompt_per_second", first.PromptTokensPerSecond);
        w.WriteNumber("predicted_n", predicted);
        w.WriteNumber("predicted_ms", ms);
        w.WriteNumber("predicted_per_second", choices.Count == 1 ? first.GenerationTokensPerSecond : predicted / Math.Max(ms / 1000, 1e-9));
        w.WriteEndObject();
    }
}
