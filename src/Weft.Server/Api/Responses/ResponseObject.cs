// The "response" object of the Responses API: status, the one assistant message of output, usage, and the request's
// settings echoed back as OpenAI echoes them.
using System.Text.Json;
using Weft.Inference.Generation;

namespace Weft.Server.Api.Responses;

/// <summary>What a response echoes of its request.</summary>
internal sealed record ResponseSettings(string Model, string? Instructions, int? MaxOutputTokens, double Temperature, double TopP, JsonElement? TextFormat);

internal sealed class ResponseObject(ResponseSettings settings)
{
    public string Id { get; } = "resp_" + Guid.NewGuid().ToString("N");
    public string MessageId { get; } = "msg_" + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>"completed", or "incomplete" when the answer ran out of tokens or context.</summary>
    public static string Status(GenerationResult r) => r.Finish is FinishReason.Length or FinishReason.ContextFull ? "incomplete" : "completed";

    /// <summary>The whole object; <paramref name="result"/> null writes it in progress, with no output yet.</summary>
    public void Write(Utf8JsonWriter w, GenerationResult? result)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", _created);
        string status = result == null ? "in_progress" : Status(result);
        w.WriteString("status", status);
        w.WriteNull("error");
        if (status == "incomplete")
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", "max_output_tokens");
            w.WriteEndObject();
        }
        else w.WriteNull("incomplete_details");
        if (settings.Instructions == null) w.WriteNull("instructions"); else w.WriteString("instructions", settings.Instructions);
        if (settings.MaxOutputTokens is int max) w.WriteNumber("max_output_tokens", max); else w.WriteNull("max_output_tokens");
        w.WriteString("model", settings.Model);
        w.WriteStartArray("output");
        if (result != null) Message(w, result.Text, status == "completed" ? "completed" : "incomplete");
        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", true);
        w.WriteNull("previous_response_id");
        w.WriteBoolean("store", false);
        w.WriteNumber("temperature", settings.Temperature);
        w.WriteNumber("top_p", settings.TopP);
        w.WriteStartObject("text");
        w.WritePropertyName("format");
        if (settings.TextFormat is { } format) format.WriteTo(w);
        else
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("tool_choice", "auto");
        w.WriteStartArray("tools");
        w.WriteEndArray();
        w.WriteString("truncation", "disabled");
        if (result != null) Usage(w, result); else w.WriteNull("usage");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The assistant message item holding <paramref name="text"/> as one output_text part.</summary>
    public void Message(Utf8JsonWriter w, string? text, string status)
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("id", MessageId);
        w.WriteString("status", status);
        w.WriteString("role", "assistant");
        w.WriteStartArray("content");
        if (text != null) TextPart(w, text);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void TextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Usage(Utf8JsonWriter w, GenerationResult r)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", r.PromptTokens);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", r.Tokens.Count);
        w.WriteStartObject("output_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", r.PromptTokens + r.Tokens.Count);
        w.WriteEndObject();
    }
}
