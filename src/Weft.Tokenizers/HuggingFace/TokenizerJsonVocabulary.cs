// tokenizer.json → VocabularySpec, with the mapping llama.cpp's converter applies: a BPE model with byte
// fallback is SentencePiece-style ("llama"), other BPE models are byte-level ("gpt2", pre-tokenizer named by
// its shape), WordPiece is "bert" (words get U+2581 in front, "##" continuations lose it).
using System.Text.Json;

namespace Weft.Tokenizers.HuggingFace;

internal static class TokenizerJsonVocabulary
{
    public static HfTokenizer Build(JsonFile file, CheckpointConfig config, string? sentencePieceModel)
    {
        var tj = TokenizerJson.Read(file);
        bool wordPiece = tj.ModelType == "WordPiece";
        bool spmStyle = tj.ModelType == "BPE" && tj.ByteFallback;
        string kind = wordPiece ? "bert" : spmStyle ? "llama" : "gpt2";

        long largest = Math.Max(tj.Vocab.Keys.Max(), tj.Added.Count == 0 ? 0 : tj.Added.Max(a => a.Id));
        int n = HfTokenizerFiles.CheckedSize(Math.Max(largest + 1, config.VocabSize ?? 0), file.Path);
        var tokens = new string[n];
        var types = new int[n];
        for (int i = 0; i < n; i++) (tokens[i], types[i]) = (TokenRules.Pad(i), (int)TokenType.Unused);
        foreach (var (id, text) in tj.Vocab)
        {
            var type = TokenType.Normal;
            if (spmStyle && text == tj.UnkToken) type = TokenType.Unknown;
            else if (spmStyle && TokenRules.IsBytePiece(text)) type = TokenType.Byte;
            (tokens[id], types[id]) = (text, (int)type);
        }
        var textToId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, text) in tj.Vocab) textToId.TryAdd(text, id);
        foreach (var a in tj.Added)
        {
            var (text, type) = TokenRules.Added(a);
            if (spmStyle && a.Content == tj.UnkToken) type = TokenType.Unknown; // SentencePiece's own unknown piece
            (tokens[a.Id], types[a.Id]) = (text, (int)type);
        }
        // for SentencePiece vocabularies the converter reads tokenizer_config.json's added tokens over the pieces
        var overridden = new HashSet<int>();
        if (spmStyle)
            foreach (var a in config.AddedTokensDecoder.Where(a => a.Id < n))
            {
                var (text, type) = TokenRules.Added(a);
                (tokens[a.Id], types[a.Id]) = (text, (int)type);
                overridden.Add(a.Id);
            }
        if (wordPiece)
            for (int i = 0; i < n; i++)
                if (types[i] != (int)TokenType.Control)
                    tokens[i] = tokens[i].StartsWith("##", StringComparison.Ordinal) ? tokens[i][2..] : "\u2581" + tokens[i];

        var roles = SpecialRoles.From(config, file, tj.PostProcessor, wordPiece);
        var ids = roles.Ids(t => tj.Added.FirstOrDefault(a => a.Content == t)?.Id ?? (textToId.TryGetValue(t, out int i) ? i : null), config, n);
        var (lowercase, stripAccents) = NormalizerFlags(file, tj.Normalizer);

        var spec = new VocabularySpec
        {
            Model = kind,
            Pre = kind == "gpt2" ? PreTokenizerDetector.Detect(file, tj.PreTokenizer, config.Cleanup, tj.IgnoreMerges) : "default",
            Tokens = tokens,
            TokenTypes = types,
            Scores = spmStyle ? SentencePieceScores(tj, tokens, types, overridden, sentencePieceModel) : null,
            Merges = kind == "gpt2" ? tj.Merges : null,
            BosId = ids.TryGetValue("bos", out int bos) ? bos : wordPiece && ids.TryGetValue("cls", out int cls) ? cls : null,
            EosId = ids.TryGetValue("eos", out int eos) ? eos : null,
            UnkId = ids.TryGetValue("unk", out int unk) ? unk : null,
            SepId = ids.TryGetValue("sep", out int sep) ? sep : null,
            PadId = ids.TryGetValue("pad", out int pad) ? pad : null,
            MaskId = ids.TryGetValue("mask", out int mask) ? mask : null,
            AddBos = roles.Adds("bos"),
            AddEos = roles.Adds("eos"),
            AddSep = wordPiece ? null : roles.Adds("sep"),
            AddSpacePrefix = spmStyle && !PrependsSpace(file, tj) ? false : null,
            NormalizerLowercase = lowercase,
            NormalizerStripAccents = stripAccents,
        };
        return new HfTokenizer
        {
            Spec = spec,
            SourceFile = file.Path,
            ChatTemplate = config.ChatTemplate,
            ChatTemplates = config.ChatTemplates,
            BosText = spec.BosId is int b ? tokens[b] : null,
            EosText = spec.EosId is int e ? tokens[e] : null,
        };
    }

    // SentencePiece merges by piece score. tokenizer.model holds the real scores; without it, a piece scores by the
    // rank of the first merge that forms it (best first), and pieces no merge forms score below all of them.
    private static float[] SentencePieceScores(TokenizerJson tj, string[] tokens, int[] types, HashSet<int> overridden, string? modelPath)
    {
        var scores = new float[tokens.Length];
        if (modelPath != null)
        {
            var model = SentencePieceModelFile.Read(modelPath);
            bool agrees = model.Pieces.Count <= tokens.Length;
            for (int i = 0; agrees && i < model.Pieces.Count; i++) agrees = tj.Vocab.GetValueOrDefault(i) == model.Pieces[i].Text;
            if (agrees)
            {
                // the converter's scores: the pieces' own, -1000 for added tokens, -10000 for padding
                for (int i = 0; i < tokens.Length; i++)
                    scores[i] = overridden.Contains(i) ? SentencePieceVocabulary.AddedScore
                        : i < model.Pieces.Count ? model.Pieces[i].Score
                        : types[i] == (int)TokenType.Unused ? SentencePieceVocabulary.PaddingScore : SentencePieceVocabulary.AddedScore;
                return scores;
            }
        }
        var textToId = tj.Vocab.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        const float NotMerged = -1e9f;
        Array.Fill(scores, NotMerged);
        var merges = tj.Merges ?? [];
        for (int r = 0; r < merges.Length; r++)
        {
            int sp = merges[r].IndexOf(' ', 1);
            if (sp < 0) continue;
            string merged = string.Concat(merges[r].AsSpan(0, sp), merges[r].AsSpan(sp + 1));
            if (textToId.TryGetValue(merged, out int id) && scores[id] == NotMerged) scores[id] = -r;
        }
        return scores;
    }

    /// <summary>Whether the SentencePiece-style pipeline puts U+2581 before the text: a Prepend normalizer, or a
    /// Metaspace pre-tokenizer whose prepend scheme is not "never".</summary>
    private static bool PrependsSpace(JsonFile f, TokenizerJson tj)
    {
        static IEnumerable<JsonElement> Flatten(JsonElement? e, string listName)
        {
            if (e is not JsonElement el) yield break;
            if (JsonFile.Member(el, listName) is { ValueKind: JsonValueKind.Array } list)
            {
                foreach (var x in list.EnumerateArray())
                    foreach (var y in Flatten(x, listName)) yield return y;
            }
            else yield return el;
        }
        foreach (var n in Flatten(tj.Normalizer, "normalizers"))
            if (f.String(n, "type", "normalizer.type") == "Prepend") return true;
        foreach (var p in Flatten(tj.PreTokenizer, "pretokenizers"))
        {
            if (f.String(p, "type", "pre_tokenizer.type") != "Metaspace") continue;
            string? scheme = f.String(p, "prepend_scheme", "pre_tokenizer.prepend_scheme");
            if (scheme != null) return scheme != "never";
            return f.Bool(p, "add_prefix_space", "pre_tokenizer.add_prefix_space") ?? true;
        }
        return false;
    }

    /// <summary>Lowercase / StripAccents normalizers and BertNormalizer's flags, as gguf-py records them.</summary>
    private static (bool? Lowercase, bool? StripAccents) NormalizerFlags(JsonFile f, JsonElement? normalizer)
    {
        bool? lower = null, strip = null;
        void Walk(JsonElement n, string field)
        {
            switch (f.String(n, "type", field + ".type"))
            {
                case "Lowercase": lower = true; break;
                case "StripAccents": strip = true; break;
                case "BertNormalizer":
                    lower = f.Bool(n, "lowercase", field + ".lowercase") ?? lower;
                    strip = f.Bool(n, "strip_accents", field + ".strip_accents") ?? strip;
                    break;
                case "Sequence":
                    if (JsonFile.Member(n, "normalizers") is { ValueKind: JsonValueKind.Array } list)
                    {
                        int i = 0;
                        foreach (var x in list.EnumerateArray()) Walk(x, $"{field}.normalizers[{i++}]");
                    }
                    break;
            }
        }
        if (normalizer is JsonElement e) Walk(e, "normalizer");
        return (lower, strip);
    }
}
