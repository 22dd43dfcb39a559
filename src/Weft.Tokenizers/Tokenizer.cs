// Text <-> token ids for one vocabulary, with llama.cpp's semantics for special tokens, BOS/EOS and decoding.
using System.Text;
using Weft.Tokenizers.Models;
using Weft.Tokenizers.PreTokenizers;

namespace Weft.Tokenizers;

public sealed class Tokenizer
{
    private readonly Vocabulary _v;

    private Tokenizer(Vocabulary v) => _v = v;

    /// <summary>Builds a tokenizer; throws <see cref="ArgumentException"/> for an inconsistent spec and
    /// <see cref="NotSupportedException"/> for a model kind or pre-tokenizer not implemented here.</summary>
    public static Tokenizer Create(VocabularySpec spec) => new(new Vocabulary(spec));

    public VocabularyKind Kind => _v.Kind;
    public PreTokenizerKind PreTokenizer => _v.Pre;
    public int VocabSize => _v.Count;

    /// <summary>Special ids; -1 where the vocabulary has none.</summary>
    public int Bos => _v.Bos;
    public int Eos => _v.Eos;
    public int Eot => _v.Eot;
    public int Eom => _v.Eom;
    public int Unk => _v.Unk;
    public int Sep => _v.Sep;
    public int Pad => _v.Pad;
    public int Mask => _v.Mask;
    public int FimPre => _v.FimPre;
    public int FimSuf => _v.FimSuf;
    public int FimMid => _v.FimMid;
    public int FimPad => _v.FimPad;
    public int FimRep => _v.FimRep;
    public int FimSep => _v.FimSep;

    private int? _newline;

    /// <summary>The token of "\n" as llama.cpp picks it: the byte token for SentencePiece, the padding token for
    /// WordPiece, else the first token of "\n" (the padding token when there is none).</summary>
    public int Newline => _newline ??= _v.Kind switch
    {
        VocabularyKind.SentencePiece => _v.ByteToToken((byte)'\n') is int id and >= 0 ? id : _v.Pad,
        VocabularyKind.WordPiece => _v.Pad,
        _ => Encode("\n", addSpecial: false, parseSpecial: false) is [int first, ..] ? first : _v.Pad,
    };

    public bool AddBos => _v.AddBos;
    public bool AddEos => _v.AddEos;
    public bool AddSep => _v.AddSep;
    public bool AddSpacePrefix => _v.AddSpacePrefix;

    /// <summary>End-of-generation tokens: EOS, EOT, EOM, FIM pad/repo/separator and the usual end texts.</summary>
    public IReadOnlySet<int> EogIds => _v.EogIds;

    public bool IsEog(int id) => _v.EogIds.Contains(id);

    public bool IsControl(int id) => _v.IsControl(Check(id));

    public TokenAttributes Attributes(int id) => _v.Attributes[Check(id)];

    /// <summary>The token's text as the vocabulary stores it (byte-mapped for GPT-2 style vocabularies).</summary>
    public string TokenText(int id) => _v.Texts[Check(id)];

    /// <summary>The bytes the token stands for, with control and unknown tokens rendered as their text.</summary>
    public byte[] TokenBytes(int id) => (byte[])_v.Pieces[Check(id)].Clone();

    /// <summary>The token's bytes as decoding emits them: empty for control/unknown tokens unless
    /// <paramref name="renderSpecial"/>.</summary>
    public ReadOnlySpan<byte> Piece(int id, bool renderSpecial)
    {
        var attr = _v.Attributes[Check(id)];
        if (!renderSpecial && (attr & (TokenAttributes.Unknown | TokenAttributes.Control)) != 0) return [];
        return _v.Pieces[id];
    }

    private int Check(int id) =>
        (uint)id < (uint)_v.Count ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside [0, {_v.Count})");

    /// <summary>
    /// Tokenizes <paramref name="text"/>. <paramref name="addSpecial"/> adds BOS/EOS (WordPiece: BOS and SEP) as
    /// the vocabulary asks; <paramref name="parseSpecial"/> lets control-token texts in the input become those
    /// tokens (user-defined tokens are always recognised). A token the encoding needs but the vocabulary lacks (BOS or
    /// SEP to add, UNK for text no token covers) is a <see cref="MissingTokenException"/>.
    /// </summary>
    public int[] Encode(string text, bool addSpecial, bool parseSpecial)
    {
        text = WellFormed(text);
        var fragments = SpecialTokenSplitter.Split(_v, text, parseSpecial);
        var output = new List<int>(text.Length / 2 + 4);
        switch (_v.Kind)
        {
            case VocabularyKind.SentencePiece:
                {
                    if (addSpecial && _v.AddBos) output.Add(RequireId(_v.Bos, "BOS"));
                    bool afterSpecial = true; // the text after a special token (or at the start) gets the space prefix
                    foreach (var f in fragments)
                    {
                        if (f.IsToken)
                        {
                            output.Add(f.Token);
                            afterSpecial = true;
                            continue;
                        }
                        string part = text.Substring(f.Offset, f.Length);
                        if (_v.AddSpacePrefix && afterSpecial) part = " " + part;
                        SentencePieceModel.Encode(_v, Normalizer.EscapeWhitespace(part), output);
                        afterSpecial = false;
                    }
                    if (addSpecial && _v.AddEos) output.Add(RequireId(_v.Eos, "EOS"));
                    break;
                }
            case VocabularyKind.BytePair:
                {
                    if (addSpecial && _v.AddBos) output.Add(RequireId(_v.Bos, "BOS"));
                    foreach (var f in fragments)
                    {
                        if (f.IsToken) { output.Add(f.Token); continue; }
                        string part = text.Substring(f.Offset, f.Length);
                        if (_v.EscapeWhitespaces) part = Normalizer.EscapeWhitespace(part);
                        BytePairModel.Encode(_v, part, output);
                    }
                    if (addSpecial && _v.AddEos) output.Add(RequireId(_v.Eos, "EOS"));
                    break;
                }
            case VocabularyKind.WordPiece:
                {
                    if (addSpecial) output.Add(RequireId(_v.Bos, "BOS"));
                    foreach (var f in fragments)
                    {
                        if (f.IsToken) { output.Add(f.Token); continue; }
                        WordPieceModel.Encode(_v, text.Substring(f.Offset, f.Length), output);
                    }
                    if (addSpecial) output.Add(RequireId(_v.Sep, "SEP"));
                    break;
                }
        }
        return output.ToArray();
    }

    private static int RequireId(int id, string what) => MissingTokenException.Require(id, what);

    // lone surrogates become U+FFFD, as they would in the UTF-8 form of the text
    private static string WellFormed(string text)
    {
        foreach (char c in text)
            if (char.IsSurrogate(c)) return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        return text;
    }

    /// <summary>
    /// Decodes ids to UTF-8 bytes as llama.cpp's detokenizer does: control and unknown tokens vanish unless
    /// <paramref name="renderSpecial"/>; with <paramref name="removeSpecial"/> a leading BOS and trailing EOS
    /// that the vocabulary adds are dropped; when the vocabulary adds a space prefix, the first token loses one
    /// leading space (unless a dropped BOS came first); some vocabularies clean up spaces before punctuation.
    /// </summary>
    public byte[] DecodeBytes(IEnumerable<int> ids, bool renderSpecial = false, bool removeSpecial = false)
    {
        var list = ids as IReadOnlyList<int> ?? ids.ToList();
        int from = 0, to = list.Count;
        bool removeSpace = _v.AddSpacePrefix;
        if (removeSpecial && _v.AddBos && to > 0 && list[0] == _v.Bos)
        {
            removeSpace = false;
            from = 1;
        }
        if (removeSpecial && _v.AddEos && to > from && list[to - 1] == _v.Eos) to--;

        var bytes = new List<byte>();
        for (int i = from; i < to; i++)
        {
            var piece = Piece(list[i], renderSpecial);
            if (removeSpace && piece.Length > 0 && piece[0] == ' ') piece = piece[1..];
            removeSpace = false;
            foreach (byte b in piece) bytes.Add(b);
        }
        var result = bytes.ToArray();
        return _v.CleanSpaces ? Normalizer.CleanUpSpaces(result) : result;
    }

    /// <summary><see cref="DecodeBytes"/> as a string (invalid UTF-8 becomes U+FFFD).</summary>
    public string Decode(IEnumerable<int> ids, bool renderSpecial = false, bool removeSpecial = false) =>
        Encoding.UTF8.GetString(DecodeBytes(ids, renderSpecial, removeSpecial));

    public StreamingDecoder CreateStreamingDecoder(bool renderSpecial = false) => new(this, renderSpecial);
}
