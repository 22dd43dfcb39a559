// What a chat template is rendered with: messages, generation-prompt flag, BOS/EOS texts and any extra variables.
using System.Text.Json;

namespace Weft.Inference.Templates;

public sealed class ChatTemplateContext
{
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
    public bool AddGenerationPrompt { get; init; } = true;
    public string BosToken { get; init; } = "";
    public string EosToken { get; init; } = "";

    /// <summary>Extra variables (tools, documents, enable_thinking…), set last: a name here hides the one above.</summary>
    public Dictionary<string, Value> Variables { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The clock behind strftime_now (local time by default; fixed in tests).</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.Now;

    public RenderLimits Limits { get; init; } = RenderLimits.Default;

    /// <summary>A context from one JSON object: messages, add_generation_prompt, bos_token, eos_token; other keys become variables.</summary>
    public static ChatTemplateContext FromJson(JsonElement obj, Func<DateTime>? clock = null)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new FormatException("template context: expected a JSON object");
        var messages = obj.TryGetProperty("messages", out var m) ? ChatMessage.ListFromJson(m) : [];
        bool agp = obj.TryGetProperty("add_generation_prompt", out var g) && g.ValueKind == JsonValueKind.True;
        string bos = obj.TryGetProperty("bos_token", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
        string eos = obj.TryGetProperty("eos_token", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
        var vars = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (p.Name is not ("messages" or "add_generation_prompt" or "bos_token" or "eos_token")) vars[p.Name] = JsonValues.FromJson(p.Value);
        return new ChatTemplateContext
        {
            Messages = messages, AddGenerationPrompt = agp, BosToken = bos, EosToken = eos, Variables = vars,
            Clock = clock ?? (() => DateTime.Now),
        };
    }
}
