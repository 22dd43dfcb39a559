// Seeded random conversations for differential tests: random roles, unicode, whitespace, empty and list-of-parts content.
using System.Text.Json.Nodes;

namespace Weft.Inference.Tests.Templates;

public static class Conversations
{
    private static readonly string[] Words =
    [
        "Hello", "world", "naïve", "日本語", "🦙", "Привет", "x", "tab\tinside", "line\nbreak", "  padded  ", "\"quoted\"",
        "it's", "back\\slash", "<s>", "</s>", "<|im_end|>", "{{ not a tag }}", "{% raw %}", "100%", "3.14", "ünïcödé", "\u00a0nbsp\u00a0", "\r\n",
    ];

    public static string Text(Random rng)
    {
        int n = rng.Next(0, 6);
        if (n == 0) return rng.Next(3) == 0 ? "   " : "";
        var parts = new List<string>();
        for (int i = 0; i < n; i++) parts.Add(Words[rng.Next(Words.Length)]);
        string s = string.Join(rng.Next(4) == 0 ? "" : " ", parts);
        return rng.Next(5) == 0 ? "  " + s + "\n" : s;
    }

    /// <summary>Messages with string content; an optional leading system message, then alternating user/assistant turns ending with user.</summary>
    public static JsonArray Alternating(Random rng, bool? withSystem = null, bool partsContent = false)
    {
        var messages = new JsonArray();
        if (withSystem ?? rng.Next(2) == 0) messages.Add(Message("system", Text(rng), rng, partsContent));
        int turns = rng.Next(1, 4);
        for (int t = 0; t < turns; t++)
        {
            messages.Add(Message("user", Text(rng), rng, partsContent));
            if (t < turns - 1 || rng.Next(3) == 0) messages.Add(Message("assistant", Text(rng), rng, partsContent));
        }
        return messages;
    }

    /// <summary>Any roles in any order (including unusual ones), string content.</summary>
    public static JsonArray AnyRoles(Random rng)
    {
        string[] roles = ["system", "user", "assistant", "user", "assistant", "tool"];
        var messages = new JsonArray();
        int n = rng.Next(1, 7);
        for (int i = 0; i < n; i++) messages.Add(Message(roles[rng.Next(roles.Length)], Text(rng), rng, false));
        return messages;
    }

    private static JsonObject Message(string role, string text, Random rng, bool partsContent)
    {
        if (partsContent && rng.Next(2) == 0)
        {
            var parts = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = text } };
            if (rng.Next(2) == 0) parts.Add(new JsonObject { ["type"] = "text", ["text"] = Text(rng) });
            return new JsonObject { ["role"] = role, ["content"] = parts };
        }
        return new JsonObject { ["role"] = role, ["content"] = text };
    }

    public static JsonObject Context(JsonArray messages, bool addGenerationPrompt = true, string bos = "<s>", string eos = "</s>") => new()
    {
        ["messages"] = messages,
        ["add_generation_prompt"] = addGenerationPrompt,
        ["bos_token"] = bos,
        ["eos_token"] = eos,
    };
}
