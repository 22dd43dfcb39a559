// Finds a chat template's tool-call format by rendering: the same conversation once with a plain assistant answer and once
// with an assistant message carrying probe calls; what differs is the call, and where the probe name and arguments land in
// it gives the layout. No family is named here: the template itself says how it writes calls.
using System.Text.Json;
using Weft.Inference.Templates;

namespace Weft.Inference.Tools;

/// <summary>Whether a template takes tools, and how it writes calls.</summary>
/// <param name="UsesTools">rendering with tools changes the prompt (the template reads the `tools` variable)</param>
/// <param name="Format">how calls are written; null exactly when <paramref name="UsesTools"/> is false</param>
public sealed record ToolSupport(bool UsesTools, ToolCallFormat? Format)
{
    public static readonly ToolSupport None = new(false, null);
}

public static class ToolFormatDetector
{
    private const string NameA = "weft_probe_alpha";
    private const string NameB = "weft_probe_beta";
    private const string ArgKey = "weft_probe_arg";
    private const string ValueA = "weft_probe_value";
    private const string ValueB = "weft_probe_other";
    // nine alphanumerics: Mistral's templates refuse any other id
    private const string IdA = "weftprob1";
    private const string IdB = "weftprob2";
    private const string TextProbe = "weft_probe_text";

    private static readonly string ProbeTools = """
        [{"type": "function", "function": {"name": "NAME_A", "description": "A probe.", "parameters": {"type": "object", "properties": {"ARG": {"type": "string"}}, "required": ["ARG"]}}},
         {"type": "function", "function": {"name": "NAME_B", "description": "A probe.", "parameters": {"type": "object", "properties": {"ARG": {"type": "string"}}, "required": ["ARG"]}}}]
        """.Replace("NAME_A", NameA, StringComparison.Ordinal).Replace("NAME_B", NameB, StringComparison.Ordinal).Replace("ARG", ArgKey, StringComparison.Ordinal);

    public static ToolSupport Detect(ChatTemplate template, string bos = "", string eos = "")
    {
        Value tools = Parse(ProbeTools);
        string user = """[{"role": "user", "content": "weft probe question"}]""";
        string? with = Render(template, user, tools, true, bos, eos);
        string? without = Render(template, user, null, true, bos, eos);
        if (with == null || with == without) return ToolSupport.None;
        foreach (bool asText in (bool[])[false, true])
            foreach (string content in (string[])["null", "\"\""])
                if (Probe(template, tools, with, asText, content, bos, eos) is { } format) return new ToolSupport(true, format);
        return new ToolSupport(true, ToolCallFormat.PlainJson);
    }

    /// <param name="prompt">the user's turn rendered with the generation prompt: when the call's rendering starts with it,
    /// what follows is exactly what the model writes</param>
    private static ToolCallFormat? Probe(ChatTemplate template, Value tools, string prompt, bool asText, string content, string bos, string eos)
    {
        string Call(string id, string name, string value)
        {
            string args = "{\"" + ArgKey + "\": \"" + value + "\"}";
            return "{\"id\": \"" + id + "\", \"type\": \"function\", \"function\": {\"name\": \"" + name + "\", \"arguments\": " + (asText ? JsonSerializer.Serialize(args) : args) + "}}";
        }
        string Conversation(string assistant) => $$"""[{"role": "user", "content": "weft probe question"}, {{assistant}}]""";
        string? text = Render(template, Conversation($$"""{"role": "assistant", "content": "{{TextProbe}}"}"""), tools, false, bos, eos);
        string? one = Render(template, Conversation($$"""{"role": "assistant", "content": {{content}}, "tool_calls": [{{Call(IdA, NameA, ValueA)}}]}"""), tools, false, bos, eos);
        if (text == null || one == null || !one.Contains(NameA, StringComparison.Ordinal)) return null;
        int textAt = text.IndexOf(TextProbe, StringComparison.Ordinal);
        if (textAt < 0) return null;
        var (region, prefixLength) = Difference(text, textAt, one);
        if (Locate(region, NameA, ValueA, IdA) is not { } body) return null;

        // the generation prompt can run past the common part (a thinking block it opens): the opening is what the model writes after it
        int callAt = prefixLength + body.Start;
        string opening = region[..body.Start];
        if (one.StartsWith(prompt, StringComparison.Ordinal) && prompt.Length > prefixLength && prompt.Length <= callAt) opening = one[prompt.Length..callAt];

        string? between = null;
        string? two = Render(template, Conversation($$"""{"role": "assistant", "content": {{content}}, "tool_calls": [{{Call(IdA, NameA, ValueA)}}, {{Call(IdB, NameB, ValueB)}}]}"""), tools, false, bos, eos);
        if (two != null)
        {
            var (region2, _) = Difference(text, textAt, two);
            if (Locate(region2, NameA, ValueA, IdA) is { } first && Locate(region2, NameB, ValueB, IdB) is { } second && second.Start >= first.End)
                between = region2[first.End..second.Start].Replace(IdB, ToolCallFormat.IdPlaceholder, StringComparison.Ordinal);
        }
        return new ToolCallFormat
        {
            Opening = opening.Replace(IdA, ToolCallFormat.IdPlaceholder, StringComparison.Ordinal),
            Closing = CutOpenTag(region[body.End..]),
            Between = between,
            Layout = body.Layout,
            NameKey = body.NameKey,
            ArgumentsKey = body.ArgumentsKey,
            IdKey = body.IdKey,
            NameSeparator = body.NameSeparator,
            Head = body.Head,
            Tail = body.Tail,
            ContentPrefix = text[prefixLength..textAt],
            ArgumentsAsText = asText,
            EmptyContentAsText = content != "null",
        };
    }

    /// <summary>The part of <paramref name="other"/> that differs from the plain rendering: after their common prefix (at
    /// most up to the text probe) and before their common suffix (at most from the probe's end).</summary>
    private static (string Region, int PrefixLength) Difference(string text, int textAt, string other)
    {
        int p = 0;
        while (p < textAt && p < other.Length && text[p] == other[p]) p++;
        int textAfter = text.Length - textAt - TextProbe.Length;
        int s = 0;
        while (s < textAfter && s < other.Length - p && text[^(s + 1)] == other[^(s + 1)]) s++;
        return (other[p..^s], p);
    }

    /// <summary>A common suffix can end inside a special token ("&lt;|eom_id|&gt;" against "&lt;|eot_id|&gt;" shares
    /// "_id|&gt;"): a closing marker ending in an unclosed "&lt;|" loses that part, which is the end of the turn, not of the call.</summary>
    private static string CutOpenTag(string closing)
    {
        int open = closing.LastIndexOf("<|", StringComparison.Ordinal);
        if (open >= 0 && closing.IndexOf("|>", open, StringComparison.Ordinal) < 0) return closing[..open];
        int wide = closing.LastIndexOf("<｜", StringComparison.Ordinal);
        if (wide >= 0 && closing.IndexOf("｜>", wide, StringComparison.Ordinal) < 0) return closing[..wide];
        return closing;
    }

    private sealed record Body(int Start, int End, ToolCallLayout Layout, string NameKey, string ArgumentsKey, string? IdKey, string NameSeparator, string? Head, string Tail);

    /// <summary>Where the probe call with this name lies in <paramref name="region"/>, and how it is laid out.</summary>
    private static Body? Locate(string region, string name, string value, string id)
    {
        int nameAt = region.IndexOf(name, StringComparison.Ordinal);
        int valueAt = region.IndexOf(value, StringComparison.Ordinal);
        if (nameAt < 0 || valueAt < 0) return null;
        int argsAt = region.LastIndexOf('{', valueAt);
        if (argsAt < 0 || JsonScan.Value(region, argsAt, out int argsEnd) != ScanStatus.Complete || argsEnd <= valueAt) return null;
        int nameEnd = nameAt + name.Length;

        // innermost object holding both the name and the arguments as members
        var members = new List<JsonScan.Member>();
        for (int p = region.LastIndexOf('{', Math.Max(0, Math.Min(nameAt, argsAt) - 1)); p >= 0; p = p == 0 ? -1 : region.LastIndexOf('{', p - 1))
        {
            members.Clear();
            if (JsonScan.Object(region, p, members, out int end) != ScanStatus.Complete || end < Math.Max(nameEnd, argsEnd)) continue;
            var nameMember = members.FirstOrDefault(m => region[m.ValueStart..m.ValueEnd] == "\"" + name + "\"");
            var argsMember = members.FirstOrDefault(m => m.ValueStart == argsAt);
            if (nameMember.Key == null || argsMember.Key == null) continue;
            var idMember = members.FirstOrDefault(m => region[m.ValueStart..m.ValueEnd] == "\"" + id + "\"");
            string? head = nameMember.ValueStart < argsAt ? region[p..argsAt].Replace(name, "{0}", StringComparison.Ordinal).Replace(id, ToolCallFormat.IdPlaceholder, StringComparison.Ordinal) : null;
            string tail = region[argsEnd..end].Replace(id, ToolCallFormat.IdPlaceholder, StringComparison.Ordinal);
            return new Body(p, end, ToolCallLayout.JsonObject, nameMember.Key, argsMember.Key, idMember.Key, "", head, tail);
        }
        if (nameEnd > argsAt) return null;
        string separator = region[nameEnd..argsAt];
        if (separator.Contains('{') || separator.Length > 32) return null;
        separator = separator.Replace(id, ToolCallFormat.IdPlaceholder, StringComparison.Ordinal);
        return new Body(nameAt, argsEnd, ToolCallLayout.NameThenArguments, "name", "arguments", null, separator, null, "");
    }

    private static Value Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonValues.FromJson(doc.RootElement);
    }

    private static string? Render(ChatTemplate template, string messagesJson, Value? tools, bool addGenerationPrompt, string bos, string eos)
    {
        var vars = new Dictionary<string, Value>(StringComparer.Ordinal);
        if (tools != null) vars["tools"] = tools;
        try
        {
            return template.Render(new ChatTemplateContext
            {
                Messages = ChatMessage.ListFromJson(messagesJson), AddGenerationPrompt = addGenerationPrompt, BosToken = bos, EosToken = eos,
                Variables = vars, Clock = () => new DateTime(2026, 1, 1),
            });
        }
        catch (TemplateException)
        {
            return null;
        }
    }
}
