// Which tokens play BOS/EOS/UNK/SEP/PAD/CLS/MASK and whether BOS/EOS/SEP are added, as llama.cpp's gguf-py
// SpecialVocab derives them: role texts from tokenizer_config.json, the post_processor's template, then the
// explicit add_*_token flags; ids by text, else config.json's *_token_id.
using System.Text.Json;

namespace Weft.Tokenizers.HuggingFace;

internal sealed class SpecialRoles
{
    private readonly Dictionary<string, string> _texts;
    private readonly Dictionary<string, bool> _add = [];

    private SpecialRoles(Dictionary<string, string> texts) => _texts = texts;

    public static SpecialRoles From(CheckpointConfig config, JsonFile? file, JsonElement? postProcessor, bool wordPiece)
    {
        var r = new SpecialRoles(new Dictionary<string, string>(config.Texts));
        if (!r._texts.ContainsKey("bos") && r._texts.TryGetValue("cls", out var cls)) r._texts["bos"] = cls;
        // WordPiece keeps SEP as SEP: llama.cpp gives BERT vocabularies no EOS.
        if (!wordPiece && !r._texts.ContainsKey("eos") && r._texts.TryGetValue("sep", out var sep)) r._texts["eos"] = sep;
        if (file != null && postProcessor is JsonElement pp) r.ReadPostProcessor(file, pp, "post_processor");
        foreach (var (role, add) in config.Add) r._add[role] = add;
        return r;
    }

    public string? Text(string role) => _texts.GetValueOrDefault(role);

    public bool? Adds(string role) => _add.TryGetValue(role, out bool v) ? v : null;

    /// <summary>Role ids: the first added token with the role's text, else the vocabulary's token with that text,
    /// else config.json's id.</summary>
    public Dictionary<string, int> Ids(Func<string, int?> byText, CheckpointConfig config, int vocabSize)
    {
        var ids = new Dictionary<string, int>();
        foreach (string role in CheckpointConfig.Roles)
        {
            int? id = _texts.TryGetValue(role, out var t) ? byText(t) : null;
            id ??= config.ConfigIds.TryGetValue(role, out int c) ? c : null;
            if (id is int i && i < vocabSize) ids[role] = i;
        }
        return ids;
    }

    private void ReadPostProcessor(JsonFile f, JsonElement pp, string field)
    {
        string? type = f.String(pp, "type", field + ".type");
        if (type == "Sequence")
        {
            var list = JsonFile.Member(pp, "processors") ?? throw f.Error(field + ".processors", "is missing");
            int i = 0;
            foreach (var p in f.Array(list, field + ".processors").EnumerateArray()) ReadPostProcessor(f, p, $"{field}.processors[{i++}]");
            return;
        }
        if (type == "RobertaProcessing")
        {
            _add["bos"] = _add["eos"] = _add["sep"] = true;
            if (!_texts.ContainsKey("cls") && FirstString(JsonFile.Member(pp, "cls")) is string c) _texts["cls"] = c;
            if (!_texts.ContainsKey("sep") && FirstString(JsonFile.Member(pp, "sep")) is string s) _texts["sep"] = s;
            return;
        }
        if (type != "TemplateProcessing") return;

        // single: e.g. [{"SpecialToken":{"id":"<s>"}}, {"Sequence":{"id":"A"}}]
        var single = JsonFile.Member(pp, "single");
        if (single is not { ValueKind: JsonValueKind.Array } s1 || s1.GetArrayLength() < 2) return;
        var items = s1.EnumerateArray().ToArray();
        if (SpecialTokenId(items[0]) is string first)
        {
            if (first != Text("bos") && first != Text("cls"))
            {
                _texts.TryAdd("bos", first);
                _texts.TryAdd("cls", first);
            }
            _add["bos"] = first == Text("bos") || first == Text("cls");
        }
        if (SpecialTokenId(items[^1]) is string last)
        {
            if (last == Text("sep") && last != Text("eos"))
            {
                _add["sep"] = true;
                return;
            }
            _texts.TryAdd("eos", last);
            _add["eos"] = last == Text("eos");
        }
    }

    private static string? SpecialTokenId(JsonElement item) =>
        JsonFile.Member(item, "SpecialToken") is { } st && JsonFile.Member(st, "id") is { ValueKind: JsonValueKind.String } id ? id.GetString() : null;

    private static string? FirstString(JsonElement? e) =>
        e is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() > 0 && a[0].ValueKind == JsonValueKind.String ? a[0].GetString() : null;
}
