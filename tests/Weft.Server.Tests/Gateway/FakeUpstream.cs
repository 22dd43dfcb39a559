// A stand-in for a remote OpenAI-compatible engine on loopback: /health, /v1/models, chat and text completions (whole,
// or streamed at a fixed token rate) and embeddings; it can be told to fail, be slow, want a key, or be killed and
// started again on the same port.
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Weft.Server.Tests.Gateway;

public sealed class FakeUpstream : IAsyncDisposable
{
    private WebApplication? _app;
    private int _concurrent;
    private int _maxConcurrent;
    private int _served;

    private FakeUpstream(string name, string[] models)
    {
        Name = name;
        Models = models;
    }

    public string Name { get; }
    public string[] Models { get; set; }
    public int Port { get; private set; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    /// <summary>When set, every call (probes included) is answered with this status.</summary>
    public volatile int FailWith;
    /// <summary>Wait before answering a completion.</summary>
    public TimeSpan Delay { get; set; }
    /// <summary>When set, calls without "Authorization: Bearer KEY" get 401.</summary>
    public string? Key { get; set; }
    /// <summary>Tokens per answer, and the time between two streamed tokens.</summary>
    public int Tokens { get; set; } = 5;
    public TimeSpan TokenInterval { get; set; } = TimeSpan.FromMilliseconds(5);
    /// <summary>When set, a stream starts with a chunk carrying only the role (as Weft's and vLLM's do), sent before
    /// <see cref="Delay"/>.</summary>
    public bool OpeningChunk { get; set; }

    /// <summary>When set, GET /slots answers as llama-server does: this many slots, the first <see cref="BusySlots"/> busy.</summary>
    public int? Slots { get; set; }
    public int BusySlots { get; set; }

    public int Served => Volatile.Read(ref _served);
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);
    public ConcurrentQueue<string> Authorizations { get; } = new();
    public ConcurrentQueue<byte[]> Bodies { get; } = new();

    public static async Task<FakeUpstream> StartAsync(string name, params string[] models)
    {
        var up = new FakeUpstream(name, models);
        await up.StartAsync(0);
        return up;
    }

    /// <summary>Starts again after <see cref="KillAsync"/>, on the same port.</summary>
    public Task RestartAsync() => StartAsync(Port);

    /// <summary>Stops at once: connections under way are cut, new ones refused.</summary>
    public async Task KillAsync()
    {
        if (_app == null) return;
        var app = _app;
        _app = null;
        await app.StopAsync(new CancellationToken(canceled: true));
        await app.DisposeAsync();
    }

    public void ResetCounts()
    {
        Volatile.Write(ref _served, 0);
        Volatile.Write(ref _maxConcurrent, 0);
    }

    private async Task StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            if (FailWith != 0)
            {
                http.Response.StatusCode = FailWith;
                await http.Response.WriteAsync("{\"error\":{\"message\":\"" + Name + " is failing\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                return;
            }
            string auth = http.Request.Headers.Authorization.ToString();
            if (http.Request.Path.StartsWithSegments("/v1")) Authorizations.Enqueue(auth);
            if (Key != null && auth != "Bearer " + Key && http.Request.Path.StartsWithSegments("/v1"))
            {
                http.Response.StatusCode = 401;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"error\":{\"message\":\"Incorrect API key provided to " + Name + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
                return;
            }
            await next(http);
        });
        app.MapGet("/health", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        app.MapGet("/v1/models", () => Results.Text(JsonSerializer.Serialize(new
        {
            @object = "list",
            data = Models.Select(m => new { id = m, @object = "model", owned_by = Name }).ToArray(),
        }), "application/json"));
        app.MapGet("/slots", () => Slots is int n
            ? Results.Text(JsonSerializer.Serialize(Enumerable.Range(0, n).Select(i => new { id = i, is_processing = i < BusySlots })), "application/json")
            : Results.NotFound());
        app.MapPost("/v1/chat/completions", Completion);
        app.MapPost("/v1/completions", Completion);
        app.MapPost("/v1/responses", Responses);
        app.MapPost("/v1/embeddings", async (HttpContext http) =>
        {
            await Record(http);
            return Results.Text("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,0.25]}],\"replica\":\"" + Name + "\"}", "application/json");
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    private async Task<JsonElement> Record(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        Bodies.Enqueue(buffer.ToArray());
        Interlocked.Increment(ref _served);
        return JsonDocument.Parse(buffer.ToArray()).RootElement;
    }

    private async Task Completion(HttpContext http)
    {
        int now = Interlocked.Increment(ref _concurrent);
        int max;
        while (now > (max = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, max) != max) { }
        try
        {
            var body = await Record(http);
            bool stream = body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            if (stream && OpeningChunk)
            {
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, http.RequestAborted);
            if (!stream)
            {
                var text = string.Join(" ", Enumerable.Range(0, Tokens).Select(i => $"t{i}"));
                await http.Response.WriteAsJsonAsync(new
                {
                    id = "cmpl-" + Name,
                    @object = "chat.completion",
                    replica = Name,
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 3, completion_tokens = Tokens, total_tokens = 3 + Tokens },
                });
                return;
            }
            if (!http.Response.HasStarted) http.Response.ContentType = "text/event-stream";
            await http.Response.StartAsync(http.RequestAborted);
            for (int i = 0; i < Tokens; i++)
            {
                string chunk = "{\"object\":\"chat.completion.chunk\",\"replica\":\"" + Name + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + " \"}}]}";
                await http.Response.WriteAsync("data: " + chunk + "\n\n", Encoding.UTF8, http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(TokenInterval, http.RequestAborted);
            }
            await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        }
        catch (OperationCanceledException) { /* killed or the caller went away */ }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }

    /// <summary>The Responses API: the whole response object, or its events (response.created first, before <see cref="Delay"/>).</summary>
    private async Task Responses(HttpContext http)
    {
        var body = await Record(http);
        string text = string.Join(" ", Enumerable.Range(0, Tokens).Select(i => $"t{i}"));
        string whole = "{\"object\":\"response\",\"status\":\"completed\",\"replica\":\"" + Name + "\",\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + text + "\"}]}]}";
        try
        {
            if (!(body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True))
            {
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, http.RequestAborted);
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(whole, http.RequestAborted);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            async Task Event(string type, string data)
            {
                await http.Response.WriteAsync($"event: {type}\ndata: {data}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
            await Event("response.created", "{\"type\":\"response.created\",\"replica\":\"" + Name + "\"}");
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, http.RequestAborted);
            for (int i = 0; i < Tokens; i++)
            {
                await Event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"replica\":\"" + Name + "\",\"delta\":\"t" + i + " \"}");
                await Task.Delay(TokenInterval, http.RequestAborted);
            }
            await Event("response.completed", "{\"type\":\"response.completed\",\"response\":" + whole + "}");
        }
        catch (OperationCanceledException) { /* killed or the caller went away */ }
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
