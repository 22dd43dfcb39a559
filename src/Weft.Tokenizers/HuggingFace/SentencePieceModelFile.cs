// tokenizer.model: SentencePiece's ModelProto (sentencepiece_model.proto), the fields a vocabulary needs.
using System.Text;

namespace Weft.Tokenizers.HuggingFace;

/// <summary>One piece of the model, as stored: text with U+2581 for spaces, score, and type (GGUF's numbering).</summary>
internal readonly record struct SentencePiece(string Text, float Score, TokenType Type);

internal sealed class SentencePieceModelFile
{
    // TrainerSpec.model_type values
    public const int Unigram = 1, Bpe = 2, Word = 3, Char = 4;

    public required List<SentencePiece> Pieces { get; init; }
    public int ModelType { get; init; } = Unigram; // proto default
    public bool ByteFallback { get; init; }
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;

    public static SentencePieceModelFile Read(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (IOException e) { throw new TokenizerFileException($"{path}: cannot be read: {e.Message}", e); }
        return Parse(data, path);
    }

    public static SentencePieceModelFile Parse(ReadOnlySpan<byte> data, string path)
    {
        var pieces = new List<SentencePiece>();
        int modelType = Unigram, unk = 0, bos = 1, eos = 2, pad = -1;
        bool byteFallback = false, dummyPrefix = true, removeSpaces = true, escapeSpaces = true;

        var r = new ProtobufReader(data, path, "ModelProto");
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (wire != WireType.Length) { r.Skip(wire); continue; }
            var body = r.ReadBytes();
            switch (field)
            {
                case 1: pieces.Add(ReadPiece(body, path, pieces.Count)); break;
                case 2: // TrainerSpec
                    {
                        var t = new ProtobufReader(body, path, "trainer_spec");
                        while (!t.End)
                        {
                            var (f, w) = t.ReadTag();
                            switch (f)
                            {
                                case 3: modelType = (int)t.ReadInt(w, "trainer_spec.model_type"); break;
                                case 35: byteFallback = t.ReadInt(w, "trainer_spec.byte_fallback") != 0; break;
                                case 40: unk = (int)t.ReadInt(w, "trainer_spec.unk_id"); break;
                                case 41: bos = (int)t.ReadInt(w, "trainer_spec.bos_id"); break;
                                case 42: eos = (int)t.ReadInt(w, "trainer_spec.eos_id"); break;
                                case 43: pad = (int)t.ReadInt(w, "trainer_spec.pad_id"); break;
                                default: t.Skip(w); break;
                            }
                        }
                        break;
                    }
                case 3: // NormalizerSpec
                    {
                        var n = new ProtobufReader(body, path, "normalizer_spec");
                        while (!n.End)
                        {
                            var (f, w) = n.ReadTag();
                            switch (f)
                            {
                                case 3: dummyPrefix = n.ReadInt(w, "normalizer_spec.add_dummy_prefix") != 0; break;
                                case 4: removeSpaces = n.ReadInt(w, "normalizer_spec.remove_extra_whitespaces") != 0; break;
                                case 5: escapeSpaces = n.ReadInt(w, "normalizer_spec.escape_whitespaces") != 0; break;
                                default: n.Skip(w); break;
                            }
                        }
                        break;
                    }
            }
        }
        if (pieces.Count == 0) throw new TokenizerFileException($"{path}: ModelProto holds no pieces (field 1); not a SentencePiece model?");
        return new SentencePieceModelFile
        {
            Pieces = pieces, ModelType = modelType, ByteFallback = byteFallback, UnkId = unk, BosId = bos, EosId = eos, PadId = pad,
            AddDummyPrefix = dummyPrefix, RemoveExtraWhitespaces = removeSpaces, EscapeWhitespaces = escapeSpaces,
        };
    }

    private static SentencePiece ReadPiece(ReadOnlySpan<byte> body, string path, int index)
    {
        string? text = null;
        float score = 0;
        int type = 1; // NORMAL
        var r = new ProtobufReader(body, path, $"pieces[{index}]");
        while (!r.End)
        {
            var (f, w) = r.ReadTag();
            switch (f)
            {
                case 1 when w == WireType.Length:
                    try { text = new UTF8Encoding(false, true).GetString(r.ReadBytes()); }
                    catch (DecoderFallbackException) { throw new TokenizerFileException($"{path}: pieces[{index}].piece is not valid UTF-8"); }
                    break;
                case 2 when w == WireType.Fixed32: score = r.ReadFloat(); break;
                case 3: type = (int)r.ReadInt(w, $"pieces[{index}].type"); break;
                default: r.Skip(w); break;
            }
        }
        if (text == null) throw new TokenizerFileException($"{path}: pieces[{index}] has no piece text (field 1)");
        if (type is < 1 or > 6) throw new TokenizerFileException($"{path}: pieces[{index}].type is {type}, expected 1..6");
        return new SentencePiece(text, score, (TokenType)type);
    }
}
