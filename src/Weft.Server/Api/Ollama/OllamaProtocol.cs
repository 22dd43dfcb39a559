// The shared parts of the Ollama API (https://github.com/ollama/ollama/blob/main/docs/api.md): model names, errors as
// {"error": "message"}, NDJSON streams, timestamps and nanosecond durations.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

/// <summary>Endpoint metadata: errors of this endpoint are written in Ollama's shape, not OpenAI's.</summary>
internal sealed class OllamaErrorShape
{
    public static readonly OllamaErrorShape Instance = new();
}

internal static class OllamaProtocol
{
    /// <summary>The tag Ollama gives a name that has none.</summary>
    public const string DefaultTag = ":latest";

    /// <summary>Maps every Ollama endpoint under <paramref name="api"/> (the /api group: same API key as /v1).</summary>
    public static RouteGroupBuilder MapOllama(this RouteGroupBuilder api)
    {
        var ollama = api.MapGroup("");
        ollama.WithMetadata(OllamaErrorShape.Instance);
        ollama.MapOllamaModels().MapOllamaChat().MapOllamaGenerate().MapOllamaEmbed();
        return api;
    }

    /// <summary>The name /api/tags lists for a Weft id: the id with ":latest" appended, unless it has a ':' (a tag) already.</summary>
    public static string Tagged(string id) => id.Contains(':', StringComparison.Ordinal) ? id : id + DefaultTag;

    /// <summary>The model a request names: a Weft id as it is, or a Weft id followed by ":latest"; anything else is
    /// Ollama's 404. Ids are looked up, never used as paths.</summary>
    public static ModelEntry Find(ModelPool pool, string name)
    {
        var entry = pool.Catalog.Find(name);
        if (entry == null && name.EndsWith(DefaultTag, StringComparison.Ordinal) && name.Length > DefaultTag.Length)
            entry = pool.Catalog.Find(name[..^DefaultTag.Length]);
        // Ollama's own wording (clients match on it)
        return entry ?? throw new ApiException(404, $"model \"{name}\" not found, try pulling it first", param: "model", code: "model_not_found");
    }

    /// <summary>The request's "model" (Ollama's older clients send "name").</summary>
    public static string ModelName(JsonRequest body)
    {
        string? name = body.OptionalString("model");
        if (string.IsNullOrEmpty(name)) name = body.OptionalString("name");
        return string.IsNullOrEmpty(name) ? throw ApiException.BadRequest("'model' is required", "model") : name;
    }

    /// <summary>The model loaded for a request's name, and how long the load (or the wait for it) took.</summary>
    public static async Task<(ModelEntry Entry, LoadedModel Model, TimeSpan Load)> LoadAsync(ModelPool pool, string name)
    {
        var entry = Find(pool, name);
        var clock = Stopwatch.StartNew();
        var model = await pool.GetAsync(entry.Id);
        return (entry, model, clock.Elapsed);
    }

    public static bool Applies(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<OllamaErrorShape>() != null;

    /// <summary>Writes {"error": "message"} with the status; inside a stream already under way, as its last line.</summary>
    public static async Task WriteErrorAsync(HttpContext http, ApiException e)
    {
        if (http.Response.HasStarted)
        {
            if (http.Response.ContentType?.StartsWith(NdjsonType, StringComparison.Ordinal) == true && !http.RequestAborted.IsCancellationRequested)
            {
                try { await LineAsync(http.Response, w => Error(w, e)); }
                catch (Exception write) when (write is IOException or OperationCanceledException or InvalidOperationException) { /* the client is gone */ }
            }
            return;
        }
        if (e.RetryAfter is int s) http.Response.Headers.RetryAfter = s.ToString(CultureInfo.InvariantCulture);
        await Json.WriteAsync(http.Response, w => Error(w, e), e.Status);
    }

    private static void Error(Utf8JsonWriter w, ApiException e)
    {
        w.WriteStartObject();
        w.WriteString("error", e.Message);
        w.WriteEndObject();
    }

    public const string NdjsonType = "application/x-ndjson";

    public static void StartLines(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = NdjsonType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    private static readonly byte[] LineEnd = "\n"u8.ToArray();

    /// <summary>One JSON object on one line, flushed at once.</summary>
    public static async Task LineAsync(HttpResponse response, Action<Utf8JsonWriter> write)
    {
        await response.Body.WriteAsync(Json.Build(write));
        await response.Body.WriteAsync(LineEnd);
        await response.Body.FlushAsync();
    }

    /// <summary>RFC 3339 in UTC with fractional seconds, as Ollama writes created_at and modified_at.</summary>
    public static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Ollama's durations are nanoseconds.</summary>
    public static long Nanoseconds(TimeSpan t) => t.Ticks * (1_000_000_000 / TimeSpan.TicksPerSecond);
}
