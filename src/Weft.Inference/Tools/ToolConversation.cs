// A conversation with calls and results as a template wants it: OpenAI sends a call's arguments as JSON text, most
// templates apply `tojson` to an object; a result's function name filled in from the call it answers.
using System.Text.Json;
using Weft.Inference.Templates;

namespace Weft.Inference.Tools;

public static class ToolConversation
{
    /// <summary>Messages adapted to <paramref name="format"/> (null: arguments as objects, content left as it is).
    /// Messages without calls or results are passed through unchanged.</summary>
    public static IReadOnlyList<ChatMessage> Adapt(IReadOnlyList<ChatMessage> messages, ToolCallFormat? format)
    {
        if (!messages.Any(m => m.Fields.Get("tool_calls") is ListValue || m.Role == "tool")) return messages;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var adapted = new List<ChatMessage>(messages.Count);
        foreach (var m in messages)
        {
            if (m.Fields.Get("tool_calls") is ListValue { Items.Count: > 0 } calls)
            {
                var fields = Copy(m.Fields);
                var list = new List<Value>();
                foreach (var c in calls.Items)
                {
                    if (c is not DictValue call || call.Get("function") is not DictValue function) { list.Add(c); continue; }
                    var f = Copy(function);
                    if (function.Get("name") is StringValue name && call.Get("id") is StringValue id) names[id.V] = name.V;
                    if (format?.ArgumentsAsText != true && function.Get("arguments") is StringValue text && ParseObject(text.V) is { } obj) f.Set("arguments", obj);
                    if (format?.ArgumentsAsText == true && function.Get("arguments") is DictValue d) f.Set("arguments", Value.Of(JsonValues.Dumps(d)));
                    var copy = Copy(call);
                    copy.Set("function", f);
                    list.Add(copy);
                }
                fields.Set("tool_calls", new ListValue(list));
                if (format?.EmptyContentAsText == true && fields.Get("content") is null or NoneValue) fields.Set("content", Value.Of(""));
                adapted.Add(ChatMessage.FromFields(fields));
            }
            else if (m.Role == "tool" && m.Fields.Get("name") is null && m.Fields.Get("tool_call_id") is StringValue callId && names.TryGetValue(callId.V, out var fn))
            {
                var fields = Copy(m.Fields);
                fields.Set("name", Value.Of(fn));
                adapted.Add(ChatMessage.FromFields(fields));
            }
            else adapted.Add(m);
        }
        return adapted;
    }

    private static DictValue Copy(DictValue d)
    {
        var c = new DictValue();
        foreach (var kv in d.Items) c.Items[kv.Key] = kv.Value;
        return c;
    }

    private static Value? ParseObject(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? JsonValues.FromJson(doc.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
