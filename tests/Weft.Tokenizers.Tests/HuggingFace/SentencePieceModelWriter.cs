// Writes a SentencePiece ModelProto (tokenizer.model) in protobuf wire format, for tests of the reader.
using System.Text;

namespace Weft.Tokenizers.Tests.HuggingFace;

internal static class SentencePieceModelWriter
{
    public static byte[] Write(IReadOnlyList<(string Piece, float Score, int Type)> pieces, int modelType = 2, bool byteFallback = true,
        bool addDummyPrefix = true, int unkId = 0, int bosId = 1, int eosId = 2, int padId = -1)
    {
        var model = new MemoryStream();
        foreach (var (piece, score, type) in pieces)
        {
            var p = new MemoryStream();
            Bytes(p, 1, Encoding.UTF8.GetBytes(piece));
            Tag(p, 2, 5);
            p.Write(BitConverter.GetBytes(score));
            if (type != 1) Varint(p, 3, type);
            Bytes(model, 1, p.ToArray());
        }
        var trainer = new MemoryStream();
        Varint(trainer, 3, modelType);
        if (byteFallback) Varint(trainer, 35, 1);
        Varint(trainer, 40, unkId);
        Varint(trainer, 41, bosId);
        Varint(trainer, 42, eosId);
        Varint(trainer, 43, padId);
        Bytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        Bytes(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
        Varint(normalizer, 3, addDummyPrefix ? 1 : 0);
        Varint(normalizer, 4, 0);
        Bytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    private static void Tag(Stream s, int field, int wire) => Raw(s, (ulong)(field << 3 | wire));

    private static void Varint(Stream s, int field, long value)
    {
        Tag(s, field, 0);
        Raw(s, unchecked((ulong)value)); // negative int32 values take ten bytes, as protobuf writes them
    }

    private static void Bytes(Stream s, int field, byte[] data)
    {
        Tag(s, field, 2);
        Raw(s, (ulong)data.Length);
        s.Write(data);
    }

    private static void Raw(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }
}
