// A small SentencePiece ModelProto written field by field (pieces, trainer_spec, normalizer_spec), as sentencepiece
// serializes it.
namespace Weft.Fuzz.Seeds;

public static class SentencePieceSeeds
{
    public static byte[] Model(bool byteFallback)
    {
        var proto = new ProtoWriter();
        proto.Message(1, Piece("<unk>", 0, 2));
        proto.Message(1, Piece("<s>", 0, 3));
        proto.Message(1, Piece("</s>", 0, 3));
        if (byteFallback)
            for (int b = 0; b < 4; b++) proto.Message(1, Piece($"<0x{b:X2}>", 0, 6));
        string[] pieces = ["▁", "H", "e", "l", "o", "▁H", "ll", "▁Hello", "<user>"];
        for (int i = 0; i < pieces.Length; i++) proto.Message(1, Piece(pieces[i], -i - 1, pieces[i] == "<user>" ? 4 : 1));
        var trainer = new ProtoWriter();
        trainer.Int(3, byteFallback ? 2 : 1); // model_type: 1 unigram, 2 BPE
        trainer.Int(35, byteFallback ? 1 : 0);
        trainer.Int(40, 0);
        trainer.Int(41, 1);
        trainer.Int(42, 2);
        trainer.Int(43, -1);
        proto.Message(2, trainer.ToArray());
        var normalizer = new ProtoWriter();
        normalizer.Int(3, 1);
        normalizer.Int(4, 1);
        normalizer.Int(5, 1);
        proto.Message(3, normalizer.ToArray());
        return proto.ToArray();
    }

    private static byte[] Piece(string text, float score, int type)
    {
        var p = new ProtoWriter();
        p.String(1, text);
        p.Float(2, score);
        p.Int(3, type);
        return p.ToArray();
    }
}
