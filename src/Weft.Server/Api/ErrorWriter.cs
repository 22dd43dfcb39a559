// Writes errors in OpenAI's shape {"error":{"message","type","param","code"}} (Ollama's endpoints: {"error": "message"}) and maps
// engine exceptions to statuses.
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Weft.Formats;
using Weft.Models;

namespace Weft.Server.Api;

internal static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext http, ApiException e)
    {
        if (Ollama.OllamaProtocol.Applies(http))
        {
            await Ollama.OllamaProtocol.WriteErrorAsync(http, e); // Ollama's endpoints answer in Ollama's shape
            return;
        }
        if (http.Response.HasStarted)
        {
            // a stream already under way can only end with an error event (what OpenAI's streams send)
            if (http.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true && !http.RequestAborted.IsCancellationRequested)
            {
                try { await Json.EventAsync(http.Response, w => Body(w, e)); }
                catch (Exception write) when (write is IOException or OperationCanceledException or InvalidOperationException) { /* the client is gone */ }
            }
            return;
        }
        http.Response.StatusCode = e.Status;
        if (e.RetryAfter is int s) http.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(http.Response.Body);
        Body(w, e);
    }

    /// <summary>{"error": {"message", "type", "param", "code"}}: a whole body, or the data of a stream's last event.</summary>
    internal static void Body(Utf8JsonWriter w, ApiException e)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", e.Message);
        w.WriteString("type", e.Type);
        if (e.Param is null) w.WriteNull("param"); else w.WriteString("param", e.Param);
        if (e.Code is null) w.WriteNull("code"); else w.WriteString("code", e.Code);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The API error an exception from deeper layers stands for.</summary>
    public static ApiException Translate(Exception e) => e switch
    {
        ApiException a => a,
        BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            new ApiException(413, "the request body is larger than the server accepts", code: "request_too_large"),
        BadHttpRequestException b => new ApiException(b.StatusCode, b.Message),
        ContextOverflowException c => ApiException.BadRequest(c.Message, "messages", "context_length_exceeded"),
        ModelFormatException or UnsupportedModelException => new ApiException(500, $"the model cannot be loaded: {e.Message}", "server_error", code: "model_load_failed"),
        _ => new ApiException(500, $"internal error: {e.Message}", "server_error"),
    };
}
