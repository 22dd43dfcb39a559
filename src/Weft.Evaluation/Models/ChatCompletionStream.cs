// Reads a streamed OpenAI chat completion (server-sent events up to [DONE]): content pieces as they come, the finish
// reason, and the usage the endpoint reports. Shared by everything that streams from a remote endpoint.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Weft.Inference.Generation;

namespace Weft.Evaluation.Models;

/// <summary>An error event in the stream (<c>{"error": {...}}</c>): its message.</summary>
public sealed class ChatStreamErrorException(string message) : IOException(message);

/// <param name="Tokens">the usage's completion tokens; one per content piece when the endpoint reports none</param>
/// <param name="FirstPiece">when the first content piece came, on the caller's clock; null when none came</param>
public sealed record ChatStreamEnd(string Text, FinishReason Finish, int PromptTokens, int Tokens, TimeSpan? FirstPiece);

public static class ChatCompletionStream
{
    /// <summary>
    /// Reads <paramref name="body"/> to [DONE] or its end, handing each non-empty content piece to <paramref name="onPiece"/>.
    /// An event that is not JSON throws <see cref="JsonException"/> (its message quotes the event); an error event throws
    /// <see cref="ChatStreamErrorException"/>; a broken connection throws what the stream throws (IOException,
    /// HttpRequestException).
    /// </summary>
    public static async Task<ChatStreamEnd> ReadAsync(Stream body, Func<string, ValueTask> onPiece, Stopwatch clock, CancellationToken cancel)
    {
        var text = new StringBuilder();
        int chunks = 0, completion = -1, prompt = 0;
        TimeSpan? first = null;
        var finish = FinishReason.Length;
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            string data = line[5..].Trim();
            if (data == "[DONE]") break;
            JsonNode? chunk;
            try { chunk = JsonNode.Parse(data); }
            catch (JsonException e) { throw new JsonException($"an event that is not JSON: {(data.Length > 120 ? data[..120] + "…" : data)}", e); }
            if (chunk?["error"] is JsonNode error) throw new ChatStreamErrorException(error["message"]?.ToString() ?? error.ToJsonString());
            if (chunk?["usage"] is JsonObject usage)
            {
                completion = usage["completion_tokens"]?.GetValue<int>() ?? completion;
                prompt = usage["prompt_tokens"]?.GetValue<int>() ?? prompt;
            }
            if (chunk?["choices"] is not JsonArray { Count: > 0 } choices) continue;
            if (choices[0]?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 } piece)
            {
                first ??= clock.Elapsed;
                chunks++;
                text.Append(piece);
                await onPiece(piece);
            }
            if (choices[0]?["finish_reason"]?.GetValue<string>() is { } reason)
                finish = reason == "length" ? FinishReason.Length : FinishReason.EndOfGeneration;
        }
        return new(text.ToString(), finish, prompt, completion >= 0 ? completion : chunks, first);
    }
}
