// Chat templates shipped with Weft (Builtin/*.jinja, embedded) for models that carry none, and the rule that picks one.
using System.Reflection;

namespace Weft.Inference.Templates;

public static class BuiltinTemplates
{
    /// <summary>What llama.cpp falls back to when a model has no template.</summary>
    public const string DefaultName = "chatml";

    private static readonly Lazy<Dictionary<string, string>> Sources = new(Load);

    /// <summary>llama2, mistral (v1 [INST]), chatml, zephyr, falcon (Falcon 3), llama3, gemma, phi3, olmo.</summary>
    public static IReadOnlyCollection<string> Names => Sources.Value.Keys;

    public static bool TryGet(string name, out ChatTemplate template)
    {
        template = null!;
        if (!Sources.Value.TryGetValue(name, out var source)) return false;
        template = ChatTemplate.Parse(source, name);
        return true;
    }

    public static string Source(string name) => Sources.Value.TryGetValue(name, out var s) ? s
        : throw new ArgumentException($"unknown built-in chat template '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>
    /// The template to use: the model's own (tokenizer.chat_template) when present, else the built-in
    /// <paramref name="builtinName"/> when given, else chatml.
    /// </summary>
    public static ChatTemplate Choose(string? modelTemplate, string? builtinName = null)
    {
        if (!string.IsNullOrEmpty(modelTemplate)) return ChatTemplate.Parse(modelTemplate, "tokenizer.chat_template");
        string name = builtinName ?? DefaultName;
        return TryGet(name, out var t) ? t
            : throw new ArgumentException($"unknown built-in chat template '{name}' (known: {string.Join(", ", Names)})");
    }

    private static Dictionary<string, string> Load()
    {
        var asm = Assembly.GetExecutingAssembly();
        const string prefix = "Weft.Inference.Templates.Builtin.";
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var res in asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".jinja", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(res)!;
            using var reader = new StreamReader(stream);
            map[res[prefix.Length..^".jinja".Length]] = reader.ReadToEnd();
        }
        return map;
    }
}
