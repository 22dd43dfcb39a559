// The tokenizer settings around the model files: tokenizer_config.json, special_tokens_map.json, config.json,
// chat_template.jinja/.json. Role texts, add_*_token flags, chat templates and extra added tokens.
using System.Text.Json;

namespace Weft.Tokenizers.HuggingFace;

internal sealed class CheckpointConfig
{
    /// <summary>Special roles as transformers names them (bos_token, eos_token, ...).</summary>
    public static readonly string[] Roles = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];

    /// <summary>Role → token text, from tokenizer_config.json, else special_tokens_map.json.</summary>
    public Dictionary<string, string> Texts { get; } = [];
    /// <summary>Role → add_ROLE_token as tokenizer_config.json states it.</summary>
    public Dictionary<string, bool> Add { get; } = [];
    /// <summary>Role → ROLE_token_id from config.json.</summary>
    public Dictionary<string, int> ConfigIds { get; } = [];
    /// <summary>clean_up_tokenization_spaces; null when not stated.</summary>
    public bool? Cleanup { get; private set; }
    /// <summary>config.json vocab_size (the embedding rows), when stated.</summary>
    public int? VocabSize { get; private set; }
    /// <summary>added_tokens.json (text → id; older checkpoints).</summary>
    public List<AddedToken> AddedTokensJson { get; } = [];
    /// <summary>tokenizer_config.json added_tokens_decoder (id → content and flags).</summary>
    public List<AddedToken> AddedTokensDecoder { get; } = [];
    public string? ChatTemplate { get; private set; }
    public Dictionary<string, string> ChatTemplates { get; } = [];

    public static CheckpointConfig Read(string folder)
    {
        var c = new CheckpointConfig();
        using (var tc = JsonFile.TryOpen(Path.Combine(folder, "tokenizer_config.json")))
        {
            if (tc != null) c.ReadTokenizerConfig(tc);
        }
        using (var map = JsonFile.TryOpen(Path.Combine(folder, "special_tokens_map.json")))
        {
            if (map != null)
                foreach (string role in Roles)
                    if (!c.Texts.ContainsKey(role) && RoleText(map, map.Root, role) is string t) c.Texts[role] = t;
        }
        using (var cfg = JsonFile.TryOpen(Path.Combine(folder, "config.json")))
        {
            if (cfg != null)
            {
                foreach (string role in Roles)
                    if (JsonFile.Member(cfg.Root, role + "_token_id") is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int id) && id >= 0)
                        c.ConfigIds[role] = id;
                if (JsonFile.Member(cfg.Root, "vocab_size") is { ValueKind: JsonValueKind.Number } vs && vs.TryGetInt32(out int n) && n > 0)
                    c.VocabSize = n;
            }
        }
        using (var added = JsonFile.TryOpen(Path.Combine(folder, "added_tokens.json")))
        {
            if (added != null)
                foreach (var p in added.Root.EnumerateObject())
                    c.AddedTokensJson.Add(new AddedToken(added.Int(p.Value, p.Name), p.Name, Special: false, Normalized: true));
        }
        if (c.ChatTemplate == null) c.ReadChatTemplateFiles(folder);
        return c;
    }

    private void ReadTokenizerConfig(JsonFile f)
    {
        foreach (string role in Roles)
        {
            if (RoleText(f, f.Root, role) is string t) Texts[role] = t;
            if (JsonFile.Member(f.Root, $"add_{role}_token") is { } a && a.ValueKind is JsonValueKind.True or JsonValueKind.False)
                Add[role] = a.GetBoolean();
        }
        Cleanup = f.Bool(f.Root, "clean_up_tokenization_spaces", "clean_up_tokenization_spaces");

        if (JsonFile.Member(f.Root, "added_tokens_decoder") is { } dec)
        {
            if (dec.ValueKind != JsonValueKind.Object) throw f.Error("added_tokens_decoder", $"holds {JsonFile.Kind(dec)}, expected an object");
            foreach (var p in dec.EnumerateObject())
            {
                string field = $"added_tokens_decoder[\"{p.Name}\"]";
                if (!int.TryParse(p.Name, out int id) || id < 0) throw f.Error(field, "is keyed by something other than a token id");
                string content = f.String(p.Value, "content", field + ".content") ?? throw f.Error(field + ".content", "is missing");
                AddedTokensDecoder.Add(new AddedToken(id, content, f.Bool(p.Value, "special", field + ".special") ?? false,
                    f.Bool(p.Value, "normalized", field + ".normalized") ?? true));
            }
        }

        if (JsonFile.Member(f.Root, "chat_template") is { } ct)
        {
            if (ct.ValueKind == JsonValueKind.String) ChatTemplate = ct.GetString();
            else if (ct.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var e in ct.EnumerateArray())
                {
                    string field = $"chat_template[{i++}]";
                    string name = f.String(e, "name", field + ".name") ?? throw f.Error(field + ".name", "is missing");
                    ChatTemplates[name] = f.String(e, "template", field + ".template") ?? throw f.Error(field + ".template", "is missing");
                }
                ChatTemplate = ChatTemplates.GetValueOrDefault("default") ?? ChatTemplates.Values.FirstOrDefault();
            }
            else throw f.Error("chat_template", $"holds {JsonFile.Kind(ct)}, expected a string or a list of named templates");
        }
    }

    private void ReadChatTemplateFiles(string folder)
    {
        string jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja))
        {
            ChatTemplate = File.ReadAllText(jinja);
            return;
        }
        using var json = JsonFile.TryOpen(Path.Combine(folder, "chat_template.json"));
        if (json != null) ChatTemplate = json.String(json.Root, "chat_template", "chat_template");
    }

    /// <summary>ROLE_token as a string, or an AddedToken object's content.</summary>
    private static string? RoleText(JsonFile f, JsonElement root, string role)
    {
        string field = role + "_token";
        var v = JsonFile.Member(root, field);
        if (v == null) return null;
        return v.Value.ValueKind switch
        {
            JsonValueKind.String => v.Value.GetString(),
            JsonValueKind.Object => f.String(v.Value, "content", field + ".content"),
            _ => throw f.Error(field, $"holds {JsonFile.Kind(v.Value)}, expected a string or an object with 'content'"),
        };
    }
}
