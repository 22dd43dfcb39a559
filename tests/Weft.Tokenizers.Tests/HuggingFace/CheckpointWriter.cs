// Writes the tokenizer files a Hugging Face checkpoint of a vocabulary family has (tokenizer.json,
// tokenizer_config.json, config.json, and tokenizer.model for SentencePiece families), from llama.cpp's
// ggml-vocab-*.gguf test files: the token table comes from the GGUF, the pipeline from FamilyPipelines.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Weft.Formats.Gguf;
using Weft.Models.Loading;

namespace Weft.Tokenizers.Tests.HuggingFace;

internal sealed record WrittenCheckpoint(string Folder, VocabularySpec GgufSpec, bool Cleanup, bool Nfc, string? ModelName);

internal static class CheckpointWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = false };

    /// <summary>Writes the checkpoint of ggml-vocab-VOCAB.gguf into <paramref name="folder"/>.</summary>
    public static WrittenCheckpoint Write(string vocab, string folder, bool tokenizerJson = true, bool sentencePieceModel = true)
    {
        Directory.CreateDirectory(folder);
        VocabularySpec spec;
        string? chatTemplate = null;
        var namedTemplates = new Dictionary<string, string>();
        string? modelName;
        using (var file = GgufFile.Open(Reference.VocabPath(vocab)))
        {
            spec = GgufTokenizerLoader.ReadSpec(file);
            if (file.TryGet("tokenizer.chat_template", out var ct)) chatTemplate = ct.AsString("tokenizer.chat_template");
            foreach (string key in (ReadOnlySpan<string>)["tool_use", "rag"])
                if (file.TryGet("tokenizer.chat_template." + key, out var t)) namedTemplates[key] = t.AsString(key);
            modelName = spec.ModelName;
        }
        var tok = Tokenizer.Create(spec);
        int n = spec.Tokens.Length;
        int[] types = spec.TokenTypes ?? Enumerable.Repeat((int)TokenType.Normal, n).ToArray();

        JsonObject model;
        var added = new JsonArray();
        JsonNode? normalizer, pre, post, decoder;
        bool cleanup, nfc = false;
        string? name = null;

        void Add(int id, bool special, bool rstrip = false) => added.Add(new JsonObject
        {
            ["id"] = id, ["content"] = spec.Tokens[id], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = rstrip,
            ["normalized"] = !special, ["special"] = special,
        });

        switch (spec.Model)
        {
            case "llama":
                {
                    int baseCount = BaseCount(types);
                    var vocabObj = new JsonObject();
                    for (int i = 0; i < baseCount; i++) vocabObj[spec.Tokens[i]] = i;
                    model = new JsonObject
                    {
                        ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = spec.Tokens[tok.Unk], ["continuing_subword_prefix"] = null,
                        ["end_of_word_suffix"] = null, ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false,
                        ["vocab"] = vocabObj, ["merges"] = SentencePieceMerges(spec, types, baseCount),
                    };
                    bool phi3 = (modelName ?? "").Contains("phi3", StringComparison.OrdinalIgnoreCase);
                    name = modelName;
                    for (int i = 0; i < n; i++)
                    {
                        var t = (TokenType)types[i];
                        if (i < baseCount && t is TokenType.Control or TokenType.Unknown) Add(i, true);
                        else if (i < baseCount && t is TokenType.UserDefined) Add(i, false);
                        else if (i >= baseCount && t is TokenType.Control or TokenType.UserDefined)
                            Add(i, t == TokenType.Control, rstrip: phi3 && spec.Tokens[i] is not ("<|endoftext|>"));
                    }
                    normalizer = FamilyPipelines.SentencePieceNormalizer();
                    pre = null;
                    post = Template(tok.AddBos ? spec.Tokens[tok.Bos] : null, tok.Bos);
                    decoder = FamilyPipelines.SentencePieceDecoder();
                    cleanup = false;
                    if (sentencePieceModel)
                    {
                        var pieces = Enumerable.Range(0, baseCount).Select(i => (spec.Tokens[i], spec.Scores![i], types[i])).ToList();
                        File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"),
                            SentencePieceModelWriter.Write(pieces, unkId: tok.Unk, bosId: tok.Bos, eosId: Math.Min(tok.Eos, 2)));
                    }
                    break;
                }
            case "bert":
                {
                    var vocabObj = new JsonObject();
                    for (int i = 0; i < n; i++)
                    {
                        string t = spec.Tokens[i];
                        string original = types[i] == (int)TokenType.Control ? t : t.StartsWith('\u2581') ? t[1..] : "##" + t;
                        vocabObj[original] = i;
                        if (types[i] == (int)TokenType.Control) Add(i, true);
                    }
                    model = new JsonObject
                    {
                        ["type"] = "WordPiece", ["unk_token"] = spec.Tokens[tok.Unk], ["continuing_subword_prefix"] = "##",
                        ["max_input_chars_per_word"] = 100, ["vocab"] = vocabObj,
                    };
                    normalizer = FamilyPipelines.BertNormalizer();
                    pre = new JsonObject { ["type"] = "BertPreTokenizer" };
                    post = Template(spec.Tokens[tok.Bos], tok.Bos, spec.Tokens[tok.Sep], tok.Sep);
                    decoder = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true };
                    cleanup = true;
                    break;
                }
            default:
                {
                    var family = FamilyPipelines.ByteLevelFamily(vocab);
                    var vocabObj = new JsonObject();
                    for (int i = 0; i < n; i++)
                        if (types[i] != (int)TokenType.Unused) vocabObj[spec.Tokens[i]] = i;
                    // newer checkpoints write merges as pairs, older ones as "left right" strings: cover both
                    bool pairs = vocab is "llama-bpe" or "qwen2" or "qwen35";
                    var merges = new JsonArray();
                    foreach (string m in spec.Merges!)
                    {
                        int sp = m.IndexOf(' ', 1);
                        merges.Add(pairs ? new JsonArray(m[..sp], m[(sp + 1)..]) : JsonValue.Create(m));
                    }
                    model = new JsonObject
                    {
                        ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                        ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = family.IgnoreMerges,
                        ["vocab"] = vocabObj, ["merges"] = merges,
                    };
                    for (int i = 0; i < n; i++)
                        if (types[i] is (int)TokenType.Control or (int)TokenType.UserDefined) Add(i, types[i] == (int)TokenType.Control);
                    normalizer = family.Normalizer;
                    pre = family.PreTokenizer;
                    var byteLevelPost = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true };
                    post = tok.AddBos && tok.Bos >= 0
                        ? new JsonObject { ["type"] = "Sequence", ["processors"] = new JsonArray(byteLevelPost, Template(spec.Tokens[tok.Bos], tok.Bos)) }
                        : byteLevelPost;
                    decoder = FamilyPipelines.ByteLevelDecoder();
                    cleanup = family.Cleanup;
                    nfc = family.Nfc;
                    break;
                }
        }

        if (tokenizerJson)
        {
            var root = new JsonObject
            {
                ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["added_tokens"] = added, ["normalizer"] = normalizer,
                ["pre_tokenizer"] = pre, ["post_processor"] = post, ["decoder"] = decoder, ["model"] = model,
            };
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), root.ToJsonString(Indented));
        }
        // a SentencePiece checkpoint's tokenizer_config.json lists only the tokens the converter took from it: those it
        // scored -1000 (the pieces keep their own scores)
        var decoderTokens = spec.Model == "llama"
            ? new JsonArray(added.Where(a => spec.Scores![(int)a!["id"]!] == -1000f).Select(a => a!.DeepClone()).ToArray())
            : added;
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"),
            TokenizerConfig(spec, tok, decoderTokens, cleanup, chatTemplate, namedTemplates).ToJsonString(Indented));
        File.WriteAllText(Path.Combine(folder, "config.json"), new JsonObject { ["vocab_size"] = n }.ToJsonString(Indented));
        return new WrittenCheckpoint(folder, spec, cleanup, nfc, name);
    }

    // SentencePiece pieces end where the added tokens (control or user-defined past the first three ids) begin.
    private static int BaseCount(int[] types)
    {
        for (int i = 3; i < types.Length; i++)
            if (types[i] is (int)TokenType.Control or (int)TokenType.UserDefined) return i;
        return types.Length;
    }

    // The merges a SentencePiece BPE vocabulary implies: every split of a normal piece into two pieces of the
    // vocabulary, ordered by the merged piece's score (best first), then by the ids of the two halves.
    private static JsonArray SentencePieceMerges(VocabularySpec spec, int[] types, int baseCount)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < baseCount; i++) ids.TryAdd(spec.Tokens[i], i);
        var merges = new List<(float Score, int Left, int Right, int Merged)>();
        for (int id = 0; id < baseCount; id++)
        {
            if (types[id] != (int)TokenType.Normal) continue;
            string t = spec.Tokens[id];
            for (int k = 1; k < t.Length; k++)
            {
                if (char.IsLowSurrogate(t[k])) continue;
                if (ids.TryGetValue(t[..k], out int l) && ids.TryGetValue(t[k..], out int r)) merges.Add((spec.Scores![id], l, r, id));
            }
        }
        var arr = new JsonArray();
        foreach (var m in merges.OrderByDescending(m => m.Score).ThenBy(m => m.Merged).ThenBy(m => m.Left).ThenBy(m => m.Right))
            arr.Add(new JsonArray(spec.Tokens[m.Left], spec.Tokens[m.Right]));
        return arr;
    }

    private static JsonObject Template(string? first, int firstId, string? last = null, int lastId = -1)
    {
        var single = new JsonArray();
        var pair = new JsonArray();
        var specials = new JsonObject();
        JsonObject Special(string text, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = text, ["type_id"] = typeId } };
        JsonObject Seq(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        if (first != null)
        {
            single.Add(Special(first, 0));
            pair.Add(Special(first, 0));
            specials[first] = new JsonObject { ["id"] = first, ["ids"] = new JsonArray(firstId), ["tokens"] = new JsonArray(first) };
        }
        single.Add(Seq("A", 0));
        pair.Add(Seq("A", 0));
        if (last != null)
        {
            single.Add(Special(last, 0));
            pair.Add(Special(last, 0));
            specials[last] = new JsonObject { ["id"] = last, ["ids"] = new JsonArray(lastId), ["tokens"] = new JsonArray(last) };
        }
        pair.Add(Seq("B", 1));
        if (last != null) pair.Add(Special(last, 1));
        return new JsonObject { ["type"] = "TemplateProcessing", ["single"] = single, ["pair"] = pair, ["special_tokens"] = specials };
    }

    private static JsonObject TokenizerConfig(VocabularySpec spec, Tokenizer tok, JsonArray added, bool cleanup, string? chatTemplate,
        Dictionary<string, string> named)
    {
        var c = new JsonObject { ["clean_up_tokenization_spaces"] = cleanup, ["model_max_length"] = 4096 };
        if (spec.AddBos is bool ab) c["add_bos_token"] = ab;
        if (spec.AddEos is bool ae) c["add_eos_token"] = ae;
        void Role(string role, int? id)
        {
            if (id is int i && i >= 0 && i < spec.Tokens.Length) c[role + "_token"] = spec.Tokens[i];
        }
        if (spec.Model == "bert")
        {
            Role("cls", tok.Bos); Role("sep", tok.Sep); Role("unk", tok.Unk); Role("pad", tok.Pad); Role("mask", tok.Mask);
        }
        else
        {
            Role("bos", spec.BosId); Role("eos", spec.EosId); Role("unk", spec.UnkId); Role("pad", spec.PadId);
        }
        var decoderMap = new JsonObject();
        foreach (var a in added)
        {
            var o = a!.AsObject();
            decoderMap[((int)o["id"]!).ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = (string?)o["content"], ["lstrip"] = false, ["normalized"] = (bool)o["normalized"]!, ["rstrip"] = (bool)o["rstrip"]!,
                ["single_word"] = false, ["special"] = (bool)o["special"]!,
            };
        }
        c["added_tokens_decoder"] = decoderMap;
        if (named.Count > 0)
        {
            var list = new JsonArray();
            if (chatTemplate != null) list.Add(new JsonObject { ["name"] = "default", ["template"] = chatTemplate });
            foreach (var (k, v) in named) list.Add(new JsonObject { ["name"] = k, ["template"] = v });
            c["chat_template"] = list;
        }
        else if (chatTemplate != null) c["chat_template"] = chatTemplate;
        return c;
    }
}
