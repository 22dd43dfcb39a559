// One arena answer from a remote model: the battle's messages and sampling fields posted as a streamed chat completion
// to a replica (chosen as the gateway chooses, with the endpoint's key; another tried while none has answered), and
// its text passed on as chunks of the hidden name ("model-a"), so nothing of the stream tells which model it is.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Weft.Evaluation.Models;
using Weft.Inference.Generation;
using Weft.Server.Api;

namespace Weft.Server.Remote;

internal static class RemoteArenaAnswer
{
    private const int MaxAttempts = 3;
    /// <summary>Fields of the battle's body that are not sampling fields, so not sent on.</summary>
    private static readonly string[] NotSent = ["models", "prompt", "messages", "model", "stream", "stream_options"];

    /// <summary>Streams the answer to the caller; Finish is Cancelled when the stream broke off (the side may be asked again).</summary>
    public static async Task<GenerationResult> StreamAsync(HttpContext http, RemoteEndpoints remote, string model, JsonElement options, string hiddenName)
    {
        byte[] body = Encoding.UTF8.GetBytes(Body(model, options).ToJsonString());
        var replicas = remote.Replicas(model);
        var tried = new List<RemoteEndpoint>();
        string? lastFailure = null;
        while (tried.Count < MaxAttempts && ReplicaChooser.Take(replicas, tried) is { } replica)
        {
            tried.Add(replica);
            var clock = Stopwatch.StartNew();
            try
            {
                var response = await SendAsync(remote, replica, body, http.RequestAborted);
                if (response == null) { lastFailure = $"'{replica.Name}': {replica.Problem}"; continue; }
                using (response)
                {
                    int status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        replica.Failed($"answered {status}", connection: false);
                        lastFailure = $"'{replica.Name}' answered {status}";
                        continue;
                    }
                    if (!response.IsSuccessStatusCode) throw await RefusedAsync(replica, model, response, http.RequestAborted);
                    var result = await RelayAsync(http, response, replica, hiddenName, clock);
                    if (result.Finish != FinishReason.Cancelled) replica.Succeeded();
                    return result;
                }
            }
            finally
            {
                replica.End(clock.Elapsed);
            }
        }
        if (tried.Count == 0) throw new ApiException(503, $"no replica of the model '{model}' is up", "server_error", code: "no_replica");
        throw new ApiException(502, $"no replica of the model '{model}' answered; the last: {lastFailure}", "server_error", code: "upstream_failed");
    }

    /// <summary>A 4xx of the replica (a wrong key, a bad field): counted, and passed on as a 502 quoting it.</summary>
    private static async Task<ApiException> RefusedAsync(RemoteEndpoint replica, string model, HttpResponseMessage response, CancellationToken ct)
    {
        replica.CountError();
        string text = await response.Content.ReadAsStringAsync(ct);
        if (text.Length > 300) text = text[..300] + "…";
        return new ApiException(502, $"the remote model '{model}' ({replica.Name}) answered {(int)response.StatusCode}: {text}", "server_error", code: "upstream_failed");
    }

    /// <summary>The chat request for the remote: the battle's messages (or its prompt as one user message) and sampling fields.</summary>
    private static JsonObject Body(string model, JsonElement options)
    {
        var body = new JsonObject { ["model"] = model };
        foreach (var p in options.EnumerateObject())
            if (!NotSent.Contains(p.Name)) body[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        body["messages"] = options.TryGetProperty("messages", out var m)
            ? JsonNode.Parse(m.GetRawText())
            : new JsonArray(new JsonObject { ["role"] = "user", ["content"] = options.GetProperty("prompt").GetString() });
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return body;
    }

    /// <summary>The replica's answer, its headers read; null when it could not be reached (the replica is marked).</summary>
    private static async Task<HttpResponseMessage?> SendAsync(RemoteEndpoints remote, RemoteEndpoint replica, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, replica.Spec.Base + "/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (replica.Spec.ApiKey is { Length: > 0 } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(remote.Config.ActivityTimeout);
        try
        {
            return await remote.Forwarding.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            replica.Failed(e is OperationCanceledException ? "no answer within the activity timeout" : e.Message, connection: true);
            return null;
        }
    }

    /// <summary>Passes the content deltas on under the hidden name; a stream the replica breaks off ends with an error event.</summary>
    private static async Task<GenerationResult> RelayAsync(HttpContext http, HttpResponseMessage response, RemoteEndpoint replica, string hiddenName, Stopwatch clock)
    {
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var text = new StringBuilder(); // what went out, for a stream cut short
        int chunks = 0;
        TimeSpan first = TimeSpan.Zero;
        Json.StartEvents(http.Response);
        await Json.EventAsync(http.Response, w => Chunk(w, id, hiddenName, role: true, null, null));
        ChatStreamEnd end;
        try
        {
            end = await ChatCompletionStream.ReadAsync(await response.Content.ReadAsStreamAsync(http.RequestAborted), async piece =>
            {
                if (chunks++ == 0) first = clock.Elapsed;
                text.Append(piece);
                await Json.EventAsync(http.Response, w => Chunk(w, id, hiddenName, role: false, piece, null));
            }, clock, http.RequestAborted);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or JsonException && !http.RequestAborted.IsCancellationRequested)
        {
            replica.Failed(e.Message, connection: e is not JsonException);
            await Json.EventAsync(http.Response, w => BrokeOff(w, e.Message));
            return new GenerationResult(new int[chunks], text.ToString(), FinishReason.Cancelled, 0, first, clock.Elapsed - first);
        }
        await Json.EventAsync(http.Response, w => Chunk(w, id, hiddenName, role: false, null, (end.Finish, end.PromptTokens, end.Tokens)));
        await Json.DoneAsync(http.Response);
        first = end.FirstPiece ?? TimeSpan.Zero;
        return new GenerationResult(new int[end.Tokens], end.Text, end.Finish, end.PromptTokens, first, clock.Elapsed - first);
    }

    private static void Chunk(Utf8JsonWriter w, string id, string model, bool role, string? piece, (FinishReason Finish, int Prompt, int Tokens)? end)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("model", model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        if (role) { w.WriteString("role", "assistant"); w.WriteString("content", ""); }
        if (piece != null) w.WriteString("content", piece);
        w.WriteEndObject();
        if (end is { } e) w.WriteString("finish_reason", e.Finish == FinishReason.Length ? "length" : "stop");
        else w.WriteNull("finish_reason");
        w.WriteEndObject();
        w.WriteEndArray();
        if (end is { } u)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", u.Prompt);
            w.WriteNumber("completion_tokens", u.Tokens);
            w.WriteNumber("total_tokens", u.Prompt + u.Tokens);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void BrokeOff(Utf8JsonWriter w, string why) =>
        ErrorWriter.Body(w, new ApiException(502, $"the remote answer broke off: {why}", "server_error", code: "upstream_broke_off"));
}
