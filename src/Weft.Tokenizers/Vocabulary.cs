// The token table with everything llama.cpp derives from it when it loads a vocabulary: defaults per model
// kind, special ids, attributes adjusted by token text, end-of-generation set, special-token order, pieces.
using System.Globalization;
using System.Text;
using Weft.Tokenizers.PreTokenizers;
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers;

public enum VocabularyKind
{
    /// <summary>SentencePiece-style: merges chosen by token score, byte fallback.</summary>
    SentencePiece,
    /// <summary>Byte-pair encoding with merge ranks (GPT-2 style, or over raw UTF-8 for Gemma 4).</summary>
    BytePair,
    /// <summary>WordPiece: greedy longest match inside words (BERT).</summary>
    WordPiece,
}

internal sealed class Vocabulary
{
    public const int Null = -1;

    public VocabularyKind Kind { get; }
    public PreTokenizerKind Pre { get; }
    public int Count => Texts.Length;
    public string[] Texts { get; }
    public float[] Scores { get; }
    public TokenAttributes[] Attributes { get; }
    public byte[][] Pieces { get; } // token_to_piece with special rendering, as llama.cpp caches it
    public int[] SpecialTokens { get; } // control, user-defined and unknown tokens, longest text first
    public HashSet<int> EogIds { get; } = [];
    public int MaxTokenChars { get; }

    private readonly Dictionary<string, int> _tokenToId;
    private readonly Dictionary<string, int>? _mergeRanks;

    public int Bos = 1, Eos = 2, Eot = Null, Eom = Null, Unk = 0, Sep = Null, Pad = Null, Mask = Null;
    public int FimPre = Null, FimSuf = Null, FimMid = Null, FimPad = Null, FimRep = Null, FimSep = Null;

    public bool AddSpacePrefix, AddBos, AddEos, AddSep, IgnoreMerges, CleanSpaces, EscapeWhitespaces = true;
    public bool RemoveExtraWhitespaces, Lowercase = true, StripAccents = true;

    public Vocabulary(VocabularySpec spec)
    {
        int n = spec.Tokens.Length;
        if (n == 0) throw new ArgumentException("tokenizer.ggml.tokens is empty");

        string? preName = spec.Pre;
        switch (spec.Model)
        {
            case "llama":
                Kind = VocabularyKind.SentencePiece;
                (Bos, Eos, Unk) = (1, 2, 0);
                break;
            case "bert":
                Kind = VocabularyKind.WordPiece;
                (Bos, Eos, Unk, Sep, Pad, Mask) = (101, Null, 100, 102, 0, 103);
                AddSep = true;
                break;
            case "gpt2":
                Kind = VocabularyKind.BytePair;
                (Bos, Eos, Unk) = (11, 11, Null);
                break;
            case "gemma4":
                Kind = VocabularyKind.BytePair;
                (Bos, Eos, Unk) = (Null, Null, Null);
                preName = "gemma4";
                break;
            default:
                throw new NotSupportedException($"tokenizer.ggml.model '{spec.Model}' is not supported (supported: llama, gpt2, gemma4, bert)");
        }

        Pre = PreTokenizerKind.Default;
        switch (Kind)
        {
            case VocabularyKind.BytePair:
                {
                    if (spec.Merges == null) throw new ArgumentException("tokenizer.ggml.merges is required for a BPE vocabulary");
                    _mergeRanks = new Dictionary<string, int>(spec.Merges.Length, StringComparer.Ordinal);
                    for (int i = 0; i < spec.Merges.Length; i++)
                    {
                        string m = spec.Merges[i];
                        int sp = m.Length > 1 ? m.IndexOf(' ', 1) : -1;
                        // a merge without a separating space registers the empty pair, which never matches
                        string key = sp < 0 ? " " : m;
                        _mergeRanks.TryAdd(key, i);
                    }
                    var info = PreTokenizer.Resolve(preName ?? "default");
                    Pre = info.Kind;
                    AddSpacePrefix = false;
                    EscapeWhitespaces = info.EscapeWhitespaces;
                    CleanSpaces = info.CleanSpaces;
                    IgnoreMerges = info.IgnoreMerges;
                    AddBos = info.AddBos;
                    AddSep = AddSep || info.AddSep;
                    if (info.NoBos) Bos = Null;
                    break;
                }
            case VocabularyKind.SentencePiece:
                (AddSpacePrefix, CleanSpaces, AddBos, AddEos) = (true, false, true, false);
                break;
            case VocabularyKind.WordPiece:
                (AddSpacePrefix, CleanSpaces, AddBos, AddEos, AddSep) = (false, true, true, false, true);
                break;
        }
        if (spec.AddSpacePrefix is bool asp) AddSpacePrefix = asp;
        if (spec.RemoveExtraWhitespaces is bool rew) RemoveExtraWhitespaces = rew;

        if (spec.Scores != null && spec.Scores.Length < n)
            throw new ArgumentException($"tokenizer.ggml.scores has {spec.Scores.Length} entries for {n} tokens");
        if (spec.TokenTypes != null && spec.TokenTypes.Length < n)
            throw new ArgumentException($"tokenizer.ggml.token_type has {spec.TokenTypes.Length} entries for {n} tokens");

        Texts = new string[n];
        Scores = new float[n];
        Attributes = new TokenAttributes[n];
        _tokenToId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        int maxChars = 0;
        for (int i = 0; i < n; i++)
        {
            string word = spec.Tokens[i];
            if (string.IsNullOrEmpty(word)) word = "[EMPTY_" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (!_tokenToId.TryAdd(word, i))
                throw new ArgumentException($"tokenizer.ggml.tokens holds the text of token {_tokenToId[word]} again at {i}");
            maxChars = Math.Max(maxChars, word.Length);
            Texts[i] = word;
            Scores[i] = spec.Scores?[i] ?? 0f;
            Attributes[i] = spec.TokenTypes == null ? TokenAttributes.Normal : (TokenType)spec.TokenTypes[i] switch
            {
                TokenType.Unknown => TokenAttributes.Unknown,
                TokenType.Unused => TokenAttributes.Unused,
                TokenType.Normal => TokenAttributes.Normal,
                TokenType.Control => TokenAttributes.Control,
                TokenType.UserDefined => TokenAttributes.UserDefined,
                TokenType.Byte => TokenAttributes.Byte,
                _ => TokenAttributes.Undefined,
            };
        }
        MaxTokenChars = maxChars;

        SetSpecialIds(spec, n);

        if (spec.AddBos is bool ab) AddBos = ab;
        if (spec.AddEos is bool ae) AddEos = ae;
        if (spec.AddSep is bool asep) AddSep = asep;
        if (Pre == PreTokenizerKind.Gemma4) AddBos = true;

        if (spec.NormalizerLowercase is bool lc) Lowercase = lc;
        StripAccents = Lowercase;
        if (spec.NormalizerStripAccents is bool sa) StripAccents = sa;

        DetectSpecialsByText();
        BuildEog();

        var special = new List<int>();
        for (int id = 0; id < n; id++)
            if ((Attributes[id] & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0)
                special.Add(id);
        // longest text first (in UTF-8 bytes, as llama.cpp measures); equal lengths keep id order
        SpecialTokens = special.OrderByDescending(id => Encoding.UTF8.GetByteCount(Texts[id])).ThenBy(id => id).ToArray();

        Pieces = new byte[n][];
        for (int id = 0; id < n; id++) Pieces[id] = ComputePiece(id);

        ApplyStripRules(spec);
    }

    private void SetSpecialIds(VocabularySpec spec, int n)
    {
        static int Pick(int current, int? given, int n)
        {
            if (current >= n) current = Null; // a default beyond the vocabulary is disabled
            if (given is int g && g >= 0 && g < n) return g;
            return current; // absent, or out of range: keep the default
        }
        Bos = Pick(Bos, spec.BosId, n);
        Eos = Pick(Eos, spec.EosId, n);
        Eot = Pick(Eot, spec.EotId, n);
        Eom = Pick(Eom, spec.EomId, n);
        Unk = Pick(Unk, spec.UnkId, n);
        Sep = Pick(Sep, spec.SepId, n);
        Pad = Pick(Pad, spec.PadId, n);
        Mask = Pick(Mask, spec.MaskId, n);
        FimPre = Pick(FimPre, spec.FimPreId, n);
        FimSuf = Pick(FimSuf, spec.FimSufId, n);
        FimMid = Pick(FimMid, spec.FimMidId, n);
        FimPad = Pick(FimPad, spec.FimPadId, n);
        FimRep = Pick(FimRep, spec.FimRepId, n);
        FimSep = Pick(FimSep, spec.FimSepId, n);
    }

    private static readonly string[] EotTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]",
         "<｜end▁of▁sentence｜>", "<end_of_utterance>"];
    private static readonly string[] EomTexts = ["<|eom_id|>"];
    private static readonly string[] FimPreTexts =
        ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"];
    private static readonly string[] FimSufTexts =
        ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"];
    private static readonly string[] FimMidTexts =
        ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"];
    private static readonly string[] FimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"];
    private static readonly string[] FimRepTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
    private static readonly string[] FimSepTexts = ["<|file_sep|>"];
    private static readonly string[] EogTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>",
         "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
         "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["];

    // Roles without an id in the metadata are found by token text; the token found becomes a control token.
    // llama.cpp walks its text->id hash map here, so when several texts qualify, the first in hash order wins.
    // Tokens added after the map's last rehash come first, newest first; role tokens are usually the last ids of
    // a vocabulary, so the highest id is taken (this agrees with llama.cpp on every vocabulary file tested).
    private void DetectSpecialsByText()
    {
        (Func<int> get, Action<int> set, string[] texts)[] roles =
        [
            (() => Eot, v => Eot = v, EotTexts), (() => Eom, v => Eom = v, EomTexts),
            (() => FimPre, v => FimPre = v, FimPreTexts), (() => FimSuf, v => FimSuf = v, FimSufTexts),
            (() => FimMid, v => FimMid = v, FimMidTexts), (() => FimPad, v => FimPad = v, FimPadTexts),
            (() => FimRep, v => FimRep = v, FimRepTexts), (() => FimSep, v => FimSep = v, FimSepTexts),
        ];
        foreach (var (get, set, texts) in roles)
        {
            if (get() != Null) continue;
            for (int id = Count - 1; id >= 0; id--)
            {
                if (Array.IndexOf(texts, Texts[id]) < 0) continue;
                set(id);
                Attributes[id] |= TokenAttributes.Control;
                break;
            }
        }

        for (int id = 0; id < Count; id++)
            if ((Attributes[id] & TokenAttributes.Control) != 0 && Texts[id].Contains("unused", StringComparison.Ordinal))
                Attributes[id] |= TokenAttributes.Unused;
    }

    private void BuildEog()
    {
        foreach (int id in (ReadOnlySpan<int>)[FimPad, FimRep, FimSep])
            if (id != Null) EogIds.Add(id);
        for (int id = 0; id < Count; id++)
        {
            if (Array.IndexOf(EogTexts, Texts[id]) < 0) continue;
            EogIds.Add(id);
            Attributes[id] |= TokenAttributes.Control;
        }
        for (int id = 0; id < Count; id++)
            if (Texts[id] is "<|channel|>" or "<|message|>" or "<|start|>" or "<|constrain|>")
                Attributes[id] = TokenAttributes.UserDefined;
        foreach (int id in (ReadOnlySpan<int>)[Eos, Eot, Eom])
            if (id != Null) EogIds.Add(id);

        bool Has(string text) => EogIds.Any(id => Texts[id] == text);
        int endId = EogIds.Where(id => Texts[id] == "<|end|>").DefaultIfEmpty(Null).First();
        bool hasCall = Has("<|call|>") || Has("<|calls|>");
        if (endId != Null && hasCall && (Has("<|return|>") || Has("<|flush|>")))
        {
            EogIds.Remove(endId);
            Attributes[endId] = TokenAttributes.UserDefined;
        }
        int sId = EogIds.Where(id => Texts[id] == "</s>").DefaultIfEmpty(Null).First();
        if (sId != Null && Has("<|tool_response>"))
        {
            EogIds.Remove(sId);
            Attributes[sId] = TokenAttributes.Normal;
        }
    }

    private void ApplyStripRules(VocabularySpec spec)
    {
        string name = (spec.ModelName ?? "").ToLowerInvariant();
        string pre = spec.Pre ?? "";
        string arch = spec.Architecture ?? "";
        static bool Any(string s, params string[] parts) => parts.Any(p => s.Contains(p, StringComparison.Ordinal));

        if (Any(pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || Any(arch, "nomic-bert-moe", "jina-bert-v3"))
        {
            if (_tokenToId.TryGetValue("<mask>", out int m)) Attributes[m] |= TokenAttributes.LStrip;
        }
        else if (Any(name, "phi-3", "phi3"))
        {
            foreach (int id in SpecialTokens) Attributes[id] |= TokenAttributes.RStrip;
            if (_tokenToId.TryGetValue("</s>", out int s)) Attributes[s] |= TokenAttributes.RStrip;
            foreach (string t in (ReadOnlySpan<string>)["<unk>", "<s>", "<|endoftext|>"])
                if (_tokenToId.TryGetValue(t, out int id)) Attributes[id] &= ~TokenAttributes.RStrip;
        }
        else if (Any(name, "modern-bert"))
        {
            if (_tokenToId.TryGetValue("[MASK]", out int m)) Attributes[m] |= TokenAttributes.LStrip;
        }
    }

    public int TextToToken(string text) => _tokenToId.TryGetValue(text, out int id) ? id : Null;

    public int TextToToken(ReadOnlySpan<char> text) =>
        _tokenToId.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out int id) ? id : Null;

    /// <summary>Rank of the merge "left right", or -1.</summary>
    public int MergeRank(string left, string right) =>
        _mergeRanks!.TryGetValue(string.Concat(left, " ", right), out int r) ? r : -1;

    public bool IsControl(int id) => (Attributes[id] & TokenAttributes.Control) != 0;

    /// <summary>The byte a byte token (text "&lt;0xXX&gt;") stands for.</summary>
    public byte TokenToByte(int id)
    {
        string t = Texts[id];
        int v = 0;
        for (int i = 3; i < Math.Min(5, t.Length); i++)
        {
            int d = HexValue(t[i]);
            if (d < 0) break;
            v = v * 16 + d;
        }
        return (byte)v;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The byte-fallback token of a byte: "&lt;0xXX&gt;", else (SentencePiece) the one-byte text.</summary>
    public int ByteToToken(byte b)
    {
        int id = TextToToken("<0x" + b.ToString("X2", CultureInfo.InvariantCulture) + ">");
        if (id != Null || Kind != VocabularyKind.SentencePiece) return id;
        return b < 0x80 ? TextToToken(((char)b).ToString()) : Null;
    }

    private byte[] ComputePiece(int id)
    {
        var attr = Attributes[id];
        string text = Texts[id];
        if ((attr & (TokenAttributes.Unknown | TokenAttributes.Control | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attr & TokenAttributes.Normal) != 0)
        {
            if (Kind != VocabularyKind.BytePair || EscapeWhitespaces)
                return Encoding.UTF8.GetBytes(Normalizer.UnescapeWhitespace(text));
            return ByteLevelDecode(text);
        }
        if ((attr & TokenAttributes.Byte) != 0) return [TokenToByte(id)];
        return [];
    }

    // Undoes the byte-to-character mapping; a character outside the mapping is written out as
    // "[UNK_BYTE_0x<its UTF-8 in hex><the whole token text>]", as llama.cpp does.
    private static byte[] ByteLevelDecode(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var r in text.EnumerateRunes())
        {
            if (ByteLevel.TryCharToByte(r.Value, out byte b)) { bytes.Add(b); continue; }
            var sb = new StringBuilder("[UNK_BYTE_0x");
            int len = r.EncodeToUtf8(utf8);
            for (int i = 0; i < len; i++) sb.Append(utf8[i].ToString("x2", CultureInfo.InvariantCulture));
            sb.Append(text).Append(']');
            bytes.AddRange(Encoding.UTF8.GetBytes(sb.ToString()));
        }
        return bytes.ToArray();
    }
}
