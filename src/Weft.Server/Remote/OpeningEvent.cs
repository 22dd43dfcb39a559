// Tells an opening event of a stream (a chat chunk whose deltas carry only the role, or empty content; the Responses
// API's response.created and the like, before any text) from one that carries an answer: the gateway holds opening
// events back, so a replica that dies before its first token has sent the caller nothing and the request can go to
// another replica.
using System.Text;
using System.Text.Json;

namespace Weft.Server.Remote;

public static class OpeningEvent
{
    /// <summary>Responses API events that come before the first text delta.</summary>
    private static readonly string[] OpeningTypes =
        ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"];

    /// <summary>Whether the SSE event (its lines, without the blank line that ends it) carries no answer yet.</summary>
    public static bool Is(ReadOnlySpan<byte> sseEvent)
    {
        string text = Encoding.UTF8.GetString(sseEvent);
        string? data = null, type = null;
        foreach (string line in text.Split('\n'))
        {
            string l = line.TrimEnd('\r');
            if (l.StartsWith("data:", StringComparison.Ordinal)) data = (data == null ? "" : data + "\n") + l[5..].TrimStart(' ');
            else if (l.StartsWith("event:", StringComparison.Ordinal)) type = l[6..].Trim();
            else if (l.Length > 0 && !l.StartsWith(':')) return false; // id:, retry: and the like
        }
        if (type != null) return OpeningTypes.Contains(type);
        return data == null || IsOpeningChunk(data);
    }

    private static bool IsOpeningChunk(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
                return false;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object) return false;
                if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind != JsonValueKind.Null) return false;
                if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object) return false;
                foreach (var p in delta.EnumerateObject())
                {
                    bool empty = p.Value.ValueKind == JsonValueKind.Null || (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Length == 0);
                    if (p.Name != "role" && !empty) return false;
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
