// A model's conversation format: its chat template (or a chosen built-in) and BOS/EOS texts, rendering messages to prompt ids.
using System.Text;
using Weft.Inference.Templates;
using Weft.Inference.Tools;
using Weft.Models;
using Weft.Tokenizers;

namespace Weft.Inference.Chat;

public sealed class ChatFormatter
{
    private ChatFormatter(ChatTemplate template, Tokenizer tokenizer, string source)
    {
        Template = template;
        Tokenizer = tokenizer;
        TemplateSource = source;
        BosText = tokenizer.Bos >= 0 && tokenizer.Bos < tokenizer.VocabSize ? tokenizer.TokenText(tokenizer.Bos) : "";
        EosText = tokenizer.Eos >= 0 && tokenizer.Eos < tokenizer.VocabSize ? tokenizer.TokenText(tokenizer.Eos) : "";
    }

    public ChatTemplate Template { get; }
    public Tokenizer Tokenizer { get; }
    /// <summary>Where the template came from: "the model's own", a built-in name, or a file.</summary>
    public string TemplateSource { get; }
    public string BosText { get; }
    public string EosText { get; }

    /// <summary>The model's own template, else <paramref name="fallback"/> (a built-in name), else chatml;
    /// <paramref name="chosen"/> (a built-in name or a Jinja file) overrides the model's.</summary>
    public static ChatFormatter ForModel(Model model, string? chosen = null, string? fallback = null)
    {
        if (chosen != null)
        {
            if (BuiltinTemplates.TryGet(chosen, out var builtin)) return new ChatFormatter(builtin, model.Tokenizer, chosen);
            if (File.Exists(chosen))
                return new ChatFormatter(ChatTemplate.Parse(File.ReadAllText(chosen, Encoding.UTF8), Path.GetFileName(chosen)), model.Tokenizer, chosen);
            throw new ArgumentException($"template '{chosen}' is neither a built-in ({string.Join(", ", BuiltinTemplates.Names)}) nor a file");
        }
        string? own = model.File.TryGet(MetadataKeys.ChatTemplate, out var v) ? v.AsString(MetadataKeys.ChatTemplate) : null;
        string source = own != null ? "the model's own" : fallback ?? BuiltinTemplates.DefaultName;
        return new ChatFormatter(BuiltinTemplates.Choose(own, fallback), model.Tokenizer, source);
    }

    /// <summary>Whether the template takes tools and how it writes calls, found on first use by rendering probes.</summary>
    public ToolSupport Tools => _tools ??= ToolFormatDetector.Detect(Template, BosText, EosText);
    private ToolSupport? _tools;

    /// <param name="variables">extra template variables (`tools`)</param>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true, IReadOnlyDictionary<string, Value>? variables = null) =>
        Template.Render(new ChatTemplateContext
        {
            Messages = messages, AddGenerationPrompt = addGenerationPrompt, BosToken = BosText, EosToken = EosText,
            Variables = variables == null ? new(StringComparer.Ordinal) : new(variables, StringComparer.Ordinal),
        });

    /// <summary>The prompt ids: special-token texts in the rendered prompt are parsed as tokens, and BOS is added
    /// once when the vocabulary asks for it (a template that writes BOS itself does not get a second one).</summary>
    /// <param name="prefill">text the answer is made to start with, after the generation prompt (a call's opening marker)</param>
    public int[] Tokens(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true, IReadOnlyDictionary<string, Value>? variables = null, string prefill = "")
    {
        var ids = Tokenizer.Encode(Render(messages, addGenerationPrompt, variables) + prefill, addSpecial: false, parseSpecial: true);
        if (!Tokenizer.AddBos || Tokenizer.Bos < 0 || (ids.Length > 0 && ids[0] == Tokenizer.Bos)) return ids;
        var withBos = new int[ids.Length + 1];
        withBos[0] = Tokenizer.Bos;
        ids.CopyTo(withBos, 1);
        return withBos;
    }
}
