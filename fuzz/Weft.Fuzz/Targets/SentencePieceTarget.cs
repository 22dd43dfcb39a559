// tokenizer.model (SentencePiece's ModelProto, read by our minimal protobuf reader) alone in a checkpoint folder.
using Weft.Tokenizers;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Fuzz.Targets;

public static class SentencePieceTarget
{
    public static FuzzTarget Target { get; } = new("sentencepiece", "HfTokenizerFiles (tokenizer.model)", Feed,
        [typeof(TokenizerFileException), typeof(NotSupportedException), typeof(MissingTokenException)]);

    private static void Feed(byte[] data) =>
        TokenizerUse.Exercise(Scratch.Folder((HfTokenizerFiles.SentencePieceName, data)));
}
