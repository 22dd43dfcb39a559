// The request fields /api/chat and /api/generate share: "options" (Ollama's Modelfile parameters) as a generation
// request, "stream", "keep_alive", "format" (JSON or a schema), and the fields Weft refuses rather than ignores ("think", "tools").
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

internal static partial class OllamaOptions
{
    /// <summary>Most stop strings in one request (as on /v1).</summary>
    private const int MaxStops = 16;

    // Ollama's options that change nothing in Weft's output are accepted and ignored: hardware and loading knobs
    // (num_batch, num_gpu, main_gpu, low_vram, vocab_only, use_mmap, use_mlock, numa, num_thread: Weft picks its own
    // threads, batches and memory mapping), num_keep (Weft refuses a prompt over the context instead of cutting it) and
    // penalize_newline; so are option names Ollama does not know (Ollama logs "invalid option provided" and goes on).

    /// <summary>Sampling options Weft does not have, with the value that switches each off: accepted at that value,
    /// refused (400) at any other, since ignoring them would change the output unasked.</summary>
    private static readonly (string Name, double Off)[] Missing = [("typical_p", 1), ("mirostat", 0), ("tfs_z", 1)];

    /// <summary>Ollama streams unless told "stream": false.</summary>
    public static bool Stream(JsonRequest body) => body.OptionalBool("stream", true);

    /// <summary>
    /// The generation request for <paramref name="prompt"/> with Ollama's defaults (its Modelfile docs: temperature 0.8,
    /// top_k 40, top_p 0.9, min_p 0, repeat_penalty 1.1 over the last 64 tokens, num_predict -1: until the context is
    /// full) and the "options" the request gives. num_ctx asks for a smaller context than the server's, as weft.ctx does
    /// on /v1; a larger one is cut to the server's (Ollama too cuts it to the model's training context).
    /// </summary>
    public static GenerationRequest Request(JsonRequest body, LoadedModel model, int[] prompt)
    {
        var o = body.Get("options");
        if (o is { } v && v.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType("options", "an object");
        var options = o ?? default;
        bool has = o != null;
        foreach (var (name, off) in Missing)
            if (has && Number(options, name, double.MinValue, double.MaxValue) is double d && d != off)
                throw ApiException.BadRequest($"'options.{name}' is not supported by this server (its sampler has no {name}); leave it out or set it to {off}", "options." + name);
        long? ctx = has ? Integer(options, "num_ctx", 1, int.MaxValue) : null;
        int? context = ctx is long c && c < model.ContextSize ? (int)c : null;
        int available = context ?? model.ContextSize;
        long? predict = has ? Integer(options, "num_predict", int.MinValue, int.MaxValue) : null;
        long? seed = has ? Integer(options, "seed", long.MinValue, long.MaxValue) : null;
        var sampling = new SamplingOptions
        {
            Temperature = (float)((has ? Number(options, "temperature", 0, 100) : null) ?? 0.8),
            TopK = (int)((has ? Integer(options, "top_k", 0, int.MaxValue) : null) ?? 40),
            TopP = (float)((has ? Number(options, "top_p", 0, 1) : null) ?? 0.9),
            MinP = (float)((has ? Number(options, "min_p", 0, 1) : null) ?? 0.0),
            RepeatPenalty = (float)((has ? Number(options, "repeat_penalty", 0.01, 100) : null) ?? 1.1),
            RepeatLastN = (int)((has ? Integer(options, "repeat_last_n", -1, int.MaxValue) : null) ?? 64),
            PresencePenalty = (float)((has ? Number(options, "presence_penalty", -100, 100) : null) ?? 0.0),
            FrequencyPenalty = (float)((has ? Number(options, "frequency_penalty", -100, 100) : null) ?? 0.0),
            // a negative seed (Ollama's -1) draws a fresh one
            Seed = seed is long s && s >= 0 ? (ulong)s : null,
        };
        try { sampling.Validate(); }
        catch (ArgumentException e) { throw ApiException.BadRequest(e.Message, "options"); }
        return new GenerationRequest
        {
            Prompt = prompt,
            // num_predict -1 (infinite) and -2 (fill the context) both run to the end of the context; so does 0, as in Ollama's runner
            MaxTokens = predict is long n && n > 0 ? (int)n : Math.Max(1, available - prompt.Length),
            Sampling = sampling,
            StopStrings = has ? Stops(options) : [],
            StopAtEndOfGeneration = true,
            ContextSize = context,
            Grammar = ResponseFormatFields.Ollama(body),
        };
    }

    /// <summary>True when the request asks to unload the model after it ("keep_alive": 0). Any other duration is
    /// accepted; Weft keeps a model loaded until the memory budget evicts it, so it has no timer to set.</summary>
    public static bool UnloadAfter(JsonRequest body) => KeepAlive(body) == TimeSpan.Zero;

    /// <summary>keep_alive: a number of seconds, or a Go duration ("5m", "1h30m", "-1s", "0"); null when absent.</summary>
    public static TimeSpan? KeepAlive(JsonRequest body)
    {
        if (body.Get("keep_alive") is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double seconds) && double.IsFinite(seconds))
            return seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
        if (v.ValueKind == JsonValueKind.String && Duration(v.GetString()!) is { } d) return d;
        throw ApiException.BadRequest("'keep_alive' must be a number of seconds or a duration such as \"5m\", \"1h\" or \"0\"", "keep_alive");
    }

    [GeneratedRegex(@"^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    private static TimeSpan? Duration(string text)
    {
        // a plain number (Ollama's CLI writes "-1"): seconds; a negative one keeps the model loaded for good
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds))
            return seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
        if (!GoDuration().IsMatch(text)) return null;
        double ms = 0;
        foreach (Match m in DurationPart().Matches(text))
        {
            double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ms += n * m.Groups[2].Value switch { "h" => 3_600_000, "m" => 60_000, "s" => 1000, "ms" => 1, "us" or "µs" => 1e-3, _ => 1e-6 };
        }
        return text.StartsWith('-') && ms > 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Min(ms, TimeSpan.MaxValue.TotalMilliseconds / 2));
    }

    /// <summary>Refuses what Weft cannot honour yet, naming the field, rather than answering as if it had.</summary>
    public static void RefuseUnsupported(JsonRequest body)
    {
        if (body.Get("think") is { } think && !(think.ValueKind == JsonValueKind.False || (think.ValueKind == JsonValueKind.String && think.GetString() is "" or "false")))
            throw ApiException.BadRequest("'think' is not supported by this server: its models answer without a separate thinking part", "think");
    }

    /// <summary>/api/generate has no tool calling (/api/chat has): a non-empty "tools" is refused.</summary>
    public static void RefuseTools(JsonRequest body)
    {
        if (body.Get("tools") is { } t && !(t.ValueKind == JsonValueKind.Array && t.GetArrayLength() == 0))
            throw ApiException.BadRequest("'tools' (tool calling) is for /api/chat; /api/generate takes none", "tools");
    }

    /// <summary>A non-empty "images" array is refused: Weft runs text-only models.</summary>
    public static void RefuseImages(JsonElement? images, string at)
    {
        if (images is { } i && !(i.ValueKind == JsonValueKind.Array && i.GetArrayLength() == 0))
            throw ApiException.BadRequest($"'{at}' (images) is not supported: this server runs text-only models", at);
    }

    private static IReadOnlyList<string> Stops(JsonElement options)
    {
        if (!options.TryGetProperty("stop", out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.String) return v.GetString() is { Length: > 0 } one ? [one] : [];
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw JsonRequest.WrongType("options.stop", "an array of strings");
        if (v.GetArrayLength() > MaxStops) throw ApiException.BadRequest($"'options.stop' may hold at most {MaxStops} entries", "options.stop");
        return [.. v.EnumerateArray().Select(e => e.GetString()!).Where(s => s.Length > 0)];
    }

    private static double? Number(JsonElement options, string name, double min, double max)
    {
        if (!options.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d)) throw JsonRequest.WrongType("options." + name, "a number");
        if (d < min || d > max) throw ApiException.BadRequest($"'options.{name}' must be between {min} and {max}; got {d}", "options." + name);
        return d;
    }

    /// <summary>An integer option; a number with no fraction (40.0, as some clients send) counts as one.</summary>
    private static long? Integer(JsonElement options, string name, long min, long max)
    {
        if (!options.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        long n;
        if (v.ValueKind != JsonValueKind.Number) throw JsonRequest.WrongType("options." + name, "an integer");
        if (!v.TryGetInt64(out n))
        {
            if (!v.TryGetDouble(out double d) || d != Math.Floor(d) || d < long.MinValue || d >= long.MaxValue) throw JsonRequest.WrongType("options." + name, "an integer");
            n = (long)d;
        }
        if (n < min || n > max) throw ApiException.BadRequest($"'options.{name}' must be between {min} and {max}; got {n}", "options." + name);
        return n;
    }
}
