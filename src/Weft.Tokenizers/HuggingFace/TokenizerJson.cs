// tokenizer.json (Hugging Face tokenizers' serialized pipeline): the model's vocabulary and merges, the added
// tokens, and the pipeline stages the adapter inspects. Field names follow the tokenizers library's format.
using System.Text.Json;

namespace Weft.Tokenizers.HuggingFace;

/// <summary>One entry of added_tokens.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool Normalized);

internal sealed class TokenizerJson
{
    /// <summary>model.type: "BPE" or "WordPiece" (others are refused on reading).</summary>
    public required string ModelType { get; init; }
    /// <summary>model.vocab as id → text.</summary>
    public required Dictionary<int, string> Vocab { get; init; }
    /// <summary>model.merges as "left right", highest priority first (BPE only).</summary>
    public string[]? Merges { get; init; }
    public bool ByteFallback { get; init; }
    public bool IgnoreMerges { get; init; }
    public string? UnkToken { get; init; }
    public required List<AddedToken> Added { get; init; }
    public JsonElement? Normalizer { get; init; }
    public JsonElement? PreTokenizer { get; init; }
    public JsonElement? PostProcessor { get; init; }

    public static TokenizerJson Read(JsonFile f)
    {
        var model = f.Object(f.Root, "model", "model");
        string type = f.String(model, "type", "model.type")
            ?? (JsonFile.Member(model, "merges") != null ? "BPE" : throw f.Error("model.type", "is missing"));
        if (type is not ("BPE" or "WordPiece"))
            throw new NotSupportedException($"{f.Path}: field 'model.type' is '{type}'; supported tokenizer models are BPE and WordPiece");

        var vocabElement = JsonFile.Member(model, "vocab") ?? throw f.Error("model.vocab", "is missing");
        if (vocabElement.ValueKind != JsonValueKind.Object)
            throw f.Error("model.vocab", $"holds {JsonFile.Kind(vocabElement)}, expected an object of token → id");
        var vocab = new Dictionary<int, string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in vocabElement.EnumerateObject())
        {
            int id = f.Int(p.Value, $"model.vocab[\"{p.Name}\"]");
            if (id < 0) throw f.Error($"model.vocab[\"{p.Name}\"]", $"holds the negative id {id}");
            if (!names.Add(p.Name)) throw f.Error($"model.vocab[\"{p.Name}\"]", "appears twice");
            if (!vocab.TryAdd(id, p.Name))
                throw f.Error($"model.vocab[\"{p.Name}\"]", $"reuses id {id} of \"{vocab[id]}\"");
        }
        if (vocab.Count == 0) throw f.Error("model.vocab", "is empty");

        return new TokenizerJson
        {
            ModelType = type,
            Vocab = vocab,
            Merges = type == "BPE" ? ReadMerges(f, model) : null,
            ByteFallback = f.Bool(model, "byte_fallback", "model.byte_fallback") ?? false,
            IgnoreMerges = f.Bool(model, "ignore_merges", "model.ignore_merges") ?? false,
            UnkToken = f.String(model, "unk_token", "model.unk_token"),
            Added = ReadAdded(f),
            Normalizer = JsonFile.Member(f.Root, "normalizer"),
            PreTokenizer = JsonFile.Member(f.Root, "pre_tokenizer"),
            PostProcessor = JsonFile.Member(f.Root, "post_processor"),
        };
    }

    // Merges are "a b" strings, or (since transformers 4.45) [a, b] pairs, whose spaces are written as U+0120
    // as llama.cpp's gguf-py writes them so that "left right" stays splittable.
    private static string[] ReadMerges(JsonFile f, JsonElement model)
    {
        var m = JsonFile.Member(model, "merges");
        if (m == null) return [];
        var list = f.Array(m.Value, "model.merges");
        var merges = new string[list.GetArrayLength()];
        int i = 0;
        foreach (var e in list.EnumerateArray())
        {
            string field = $"model.merges[{i}]";
            merges[i++] = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString()!,
                JsonValueKind.Array when e.GetArrayLength() == 2 && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String =>
                    e[0].GetString()!.Replace(' ', '\u0120') + " " + e[1].GetString()!.Replace(' ', '\u0120'),
                _ => throw f.Error(field, $"holds {JsonFile.Kind(e)}, expected \"left right\" or [left, right]"),
            };
        }
        return merges;
    }

    private static List<AddedToken> ReadAdded(JsonFile f)
    {
        var added = new List<AddedToken>();
        var a = JsonFile.Member(f.Root, "added_tokens");
        if (a == null) return added;
        int i = 0;
        foreach (var e in f.Array(a.Value, "added_tokens").EnumerateArray())
        {
            string field = $"added_tokens[{i++}]";
            if (e.ValueKind != JsonValueKind.Object) throw f.Error(field, $"holds {JsonFile.Kind(e)}, expected an object");
            int id = f.Int(JsonFile.Member(e, "id") ?? throw f.Error(field + ".id", "is missing"), field + ".id");
            if (id < 0) throw f.Error(field + ".id", $"holds the negative id {id}");
            string content = f.String(e, "content", field + ".content") ?? throw f.Error(field + ".content", "is missing");
            added.Add(new AddedToken(id, content, f.Bool(e, "special", field + ".special") ?? false,
                f.Bool(e, "normalized", field + ".normalized") ?? true));
        }
        return added;
    }
}
